# A Python program blocked in accept, recv or read with a SIGUSR1 handler.
#
#   python3 rtsignal.py accept|recv|read
#
# A child sends SIGUSR1 once the call blocks (300 ms), and two seconds
# later completes the call (connects, or writes a byte), so the program
# ends either way.  Prints "handled=1 latency=S": the time from the kill to
# the handler running.  Bare, the call fails with EINTR inside CPython,
# which runs the handler at once (PEP 475).
import os
import signal
import socket
import struct
import sys
import time

call = sys.argv[1]
handled_at = None


class Usr1(Exception):
    pass


def on_usr1(sig, frame):
    global handled_at
    handled_at = time.monotonic()
    raise Usr1()


signal.signal(signal.SIGUSR1, on_usr1)
report_r, report_w = os.pipe()
if call == "accept":
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    port = ls.getsockname()[1]
elif call == "recv":
    mine, theirs = socket.socketpair()
else:
    rd, wr = os.pipe()

parent = os.getpid()
child = os.fork()
if child == 0:
    time.sleep(0.3)
    os.write(report_w, struct.pack("d", time.monotonic()))
    os.kill(parent, signal.SIGUSR1)
    time.sleep(2)
    if call == "accept":
        socket.create_connection(("127.0.0.1", port)).close()
    elif call == "recv":
        theirs.send(b"x")
    else:
        os.write(wr, b"x")
    os._exit(0)

try:
    if call == "accept":
        ls.accept()
    elif call == "recv":
        mine.recv(1)
    else:
        os.read(rd, 1)
except Usr1:
    pass
sent = struct.unpack("d", os.read(report_r, 8))[0]
os.waitpid(child, 0)
print("handled=%d latency=%.3f" % (handled_at is not None, handled_at - sent))
