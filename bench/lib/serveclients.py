"""serveclients.py HOST PORT STALLED: clients of `--serve` that never read, then one that reads.

Opens STALLED connections that never read, and waits until the server has filled each one's
receive queue (FIONREAD unchanged over three polls 100 ms apart, at most 20 s). Then one client
reads the whole file and sha256s it. Prints "bytes seconds sha256 stalled_ok" (seconds: the
reading client, connect to EOF; stalled_ok: how many stalled clients had bytes queued), then
closes the stalled connections (unread bytes: the server sees a reset and moves on).
"""
import array
import fcntl
import hashlib
import socket
import sys
import termios
import time

host, port, stalled = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
idle = []
for _ in range(stalled):
    idle.append(socket.create_connection((host, port), timeout=10))


def queued(s):
    buf = array.array('i', [0])
    fcntl.ioctl(s.fileno(), termios.FIONREAD, buf)
    return buf[0]


last, same = None, 0
deadline = time.monotonic() + 20
while idle and time.monotonic() < deadline:
    now = [queued(s) for s in idle]
    same = same + 1 if now == last and all(now) else 0
    if same >= 3:
        break
    last = now
    time.sleep(0.1)
stalled_ok = sum(1 for s in idle if queued(s) > 0)

t0 = time.perf_counter()
reader = socket.create_connection((host, port), timeout=60)
digest = hashlib.sha256()
view = memoryview(bytearray(1 << 20))
total = 0
while True:
    n = reader.recv_into(view)
    if n == 0:
        break
    digest.update(view[:n])
    total += n
secs = time.perf_counter() - t0
reader.close()
print(total, '%.4f' % secs, digest.hexdigest(), stalled_ok)
sys.stdout.flush()
for s in idle:
    s.close()
