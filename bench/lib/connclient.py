"""connclient.py HOST PORT N: N sequential short connections, one after the other.

Each one connects, sends "hello I\n", half-closes (shutdown SHUT_WR) and reads until the
listener closes, so the listener must notice the EOF and close before the next one starts.
Prints "N elapsed_seconds failures" (elapsed excludes Python's own start-up).
"""
import socket
import sys
import time

host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fail = 0
t0 = time.perf_counter()
for i in range(n):
    try:
        s = socket.create_connection((host, port), timeout=5)
        s.sendall(b'hello %d\n' % i)
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass
        s.close()
    except OSError as e:
        fail += 1
        sys.stderr.write('conn %d: %s\n' % (i, e))
        if fail >= 20:
            break
print(n, '%.4f' % (time.perf_counter() - t0), fail)
