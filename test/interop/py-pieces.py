"""A scripted peer for the interop tests that sends in small pieces: python3 py-pieces.py SPEC.

SPEC is JSON: transport (tcp, udp, unix, unix-dgram), role (listen or connect), host and port
(tcp, udp), path (unix: "@name" is the abstract name "\\0name", exactly as long as it is), bind
(unix-dgram: the peer's own path, so that the other side can answer), tls (true: the client side
of TLS, no certificate checks), timeout (seconds, for every wait), and steps, run in order:

  {"send": HEX, "piece": N, "pause": S}  send the bytes N at a time (one datagram each), S seconds
                                          apart, with TCP_NODELAY: each piece is a segment of its own
  {"recv": N}                             read until N bytes have arrived in all (or the timeout)
  {"until": HEX}                          read until what has arrived ends with these bytes
  {"shutdown": true}                      half-close (stream)
  {"eof": true}                           read until the other side's EOF

A listener prints "READY PORT" once it listens (PORT 0 for a unix socket); a datagram listener
prints "PEER ADDRESS" at the first datagram (a unix path in hex, the NUL of an abstract name
included, or a UDP port) and answers there. At the end, "RECEIVED
HEX" is everything that arrived. A step that times out ends the script with "TIMEOUT step" on
stderr and status 2, after printing what arrived.
"""

import json
import socket
import ssl
import sys
import time


def address_of(spec: dict):
    if spec["transport"] in ("unix", "unix-dgram"):
        path = spec["path"]
        return "\0" + path[1:] if path.startswith("@") else path
    return (spec.get("host", "127.0.0.1"), spec["port"])


def ready(port: int) -> None:
    print(f"READY {port}", flush=True)


def open_socket(spec: dict) -> socket.socket:
    transport, role = spec["transport"], spec["role"]
    family = socket.AF_UNIX if transport.startswith("unix") else socket.AF_INET
    kind = socket.SOCK_DGRAM if transport in ("udp", "unix-dgram") else socket.SOCK_STREAM
    sock = socket.socket(family, kind)
    sock.settimeout(spec.get("timeout", 10))
    if kind == socket.SOCK_DGRAM:
        if "bind" in spec:
            sock.bind(address_of({**spec, "path": spec["bind"]}))
        if role == "listen":
            sock.bind(address_of(spec))
            ready(sock.getsockname()[1] if family == socket.AF_INET else 0)
        else:
            sock.connect(address_of(spec))
        return sock
    if role == "listen":
        sock.bind(address_of(spec))
        sock.listen(1)
        ready(sock.getsockname()[1] if family == socket.AF_INET else 0)
        conn, _ = sock.accept()
        sock.close()
        conn.settimeout(spec.get("timeout", 10))
        sock = conn
    else:
        sock.connect(address_of(spec))
    if family == socket.AF_INET:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if spec.get("tls"):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        sock = context.wrap_socket(sock)
    return sock


def main() -> None:
    spec = json.loads(sys.argv[1])
    sock = open_socket(spec)
    stream = sock.type == socket.SOCK_STREAM
    received = bytearray()
    status = 0

    def read_more() -> bool:
        if stream:
            chunk = sock.recv(65536)
            if not chunk:
                return False
        else:
            chunk, sender = sock.recvfrom(65536)
            if spec["role"] == "listen" and not received:
                # The first sender is the peer: answers go to it.
                if isinstance(sender, tuple):
                    name = str(sender[1])
                else:  # an abstract name comes as bytes, a path as str
                    name = (sender if isinstance(sender, bytes) else sender.encode()).hex()
                print(f"PEER {name}", flush=True)
                sock.connect(sender)
        received.extend(chunk)
        return True

    try:
        for step in spec["steps"]:
            if "send" in step:
                data = bytes.fromhex(step["send"])
                piece = step.get("piece", 1)
                for at in range(0, len(data), piece):
                    if at > 0:
                        time.sleep(step.get("pause", 0.01))
                    sock.send(data[at : at + piece])
            elif "recv" in step:
                while len(received) < step["recv"]:
                    if not read_more():
                        raise TimeoutError
            elif "until" in step:
                end = bytes.fromhex(step["until"])
                while not received.endswith(end):
                    if not read_more():
                        raise TimeoutError
            elif step.get("shutdown"):
                sock.shutdown(socket.SHUT_WR)
            elif step.get("eof"):
                while read_more():
                    pass
    except (TimeoutError, socket.timeout):
        print(f"TIMEOUT {json.dumps(step)}", file=sys.stderr)
        status = 2
    print(f"RECEIVED {received.hex()}", flush=True)
    sock.close()
    sys.exit(status)


main()
