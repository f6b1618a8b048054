"""relay_peers.py MODE ...: the ends of bench/run.sh's relay rows (asyncio, one process each).

  echo PORT            on 127.0.0.1:PORT, each connection gets back what it sends, then FIN after its FIN
  hold PORT COUNTFILE  accept and hold every connection; COUNTFILE holds how many are open
  idle HOST PORT N     open N connections one after another, print "open N", hold them until stdin's EOF
"""
import asyncio
import sys


async def echo(port):
    async def one(reader, writer):
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(one, '127.0.0.1', port, backlog=1024)
    async with server:
        await server.serve_forever()


async def hold(port, countfile):
    count = 0

    def note():
        with open(countfile, 'w') as f:
            f.write('%d\n' % count)

    async def one(reader, writer):
        nonlocal count
        count += 1
        note()
        await reader.read()  # until the relay closes it
        count -= 1
        note()
        writer.close()

    note()
    server = await asyncio.start_server(one, '127.0.0.1', port, backlog=1024)
    async with server:
        await server.serve_forever()


async def idle(host, port, n):
    conns = []
    for _ in range(n):
        conns.append(await asyncio.open_connection(host, port))
    print('open %d' % n, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for _, writer in conns:
        writer.close()


mode = sys.argv[1]
if mode == 'echo':
    asyncio.run(echo(int(sys.argv[2])))
elif mode == 'hold':
    asyncio.run(hold(int(sys.argv[2]), sys.argv[3]))
elif mode == 'idle':
    asyncio.run(idle(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
