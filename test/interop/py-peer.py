"""A textbook TCP peer for the interop tests: python3 py-peer.py ROLE HOST PORT.

ROLE is connect-send, connect-recv, listen-send or listen-recv. A sender writes its stdin to the
socket, half-closes (shutdown SHUT_WR), then reads until the other side's EOF and closes. A
receiver never writes: it copies the socket to stdout until EOF, then closes. Either way the
session ends only when both directions have ended, which is what a careful program does.
"""

import socket
import sys

CHUNK = 1 << 16


def send(sock: socket.socket) -> None:
    stdin = sys.stdin.buffer
    while chunk := stdin.read1(CHUNK):
        sock.sendall(chunk)
    sock.shutdown(socket.SHUT_WR)
    while sock.recv(CHUNK):
        pass


def receive(sock: socket.socket) -> None:
    stdout = sys.stdout.buffer
    while chunk := sock.recv(CHUNK):
        stdout.write(chunk)
    stdout.flush()


def main() -> None:
    role, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if role.startswith("listen-"):
        server = socket.create_server((host, port))
        sock, _ = server.accept()
        server.close()
    else:
        sock = socket.create_connection((host, port))
    with sock:
        (send if role.endswith("-send") else receive)(sock)


main()
