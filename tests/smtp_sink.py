"""A real SMTP server for tests: it speaks enough SMTP for Django's smtplib backend and
keeps every accepted message. "The mail server is down" is a port nobody listens on."""

import email
import email.policy
import socket
import socketserver
import threading


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 sink ESMTP")
        sender, recipients = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip(" <>")
                if address in self.server.sink.reject:
                    self.reply("451 Try again later")
                    continue
                recipients.append(address)
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    data = self.rfile.readline()
                    if data in (b".\r\n", b".\n", b""):
                        break
                    lines.append(data[1:] if data.startswith(b"..") else data)
                message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                self.server.sink.accept(sender, recipients, message)
                self.reply("250 OK queued")
            elif verb == "RSET":
                sender, recipients = None, []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SmtpSink:
    """`start()` listens on `port`, `stop()` closes it; `messages` holds
    (sender, recipients, email.message.EmailMessage) for every accepted message."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.messages = []
        self.reject = set()  # addresses answered "451 try again later"
        self._lock = threading.Lock()
        self._server = None

    def accept(self, sender, recipients, message):
        with self._lock:
            self.messages.append((sender, recipients, message))

    def start(self):
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.sink = self
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def to(self, address):
        return [message for _s, recipients, message in self.messages if address in recipients]
