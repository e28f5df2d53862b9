"""A TCP proxy the fault tests put between the portal and PostgreSQL or Redis, to take the
service away the ways production does: refuse new connections (the server stopped), hang
(packets dropped: nothing answers, nothing closes), or cut every open connection (a restart)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class Proxy:
    """Listens on a free loopback port and forwards each connection to `target`."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.mode = "pass"
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.hung: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener: socket.socket | None = None
        self.port = 0
        self._listen()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed: refusing
            if self.mode == "hang":
                with self.lock:
                    self.hung.append(client)  # accepted, and never answered
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                while self.mode == "hang":  # what was sent is held: the other end waits
                    time.sleep(0.02)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.close()

    def refuse(self) -> None:
        """New connections are refused (the port closes), open ones are cut: stopped."""
        if self.listener is not None:
            # Shut down first: a thread blocked in accept() keeps a merely closed socket
            # listening (and its port taken).
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        self.cut()

    def hang(self) -> None:
        """Nothing answers any more, and nothing is closed."""
        self.mode = "hang"

    def cut(self) -> None:
        with self.lock:
            pairs, self.pairs = self.pairs, []
            hung, self.hung = self.hung, []
        for pair in pairs:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                    end.close()
        for end in hung:
            with contextlib.suppress(OSError):
                end.close()

    def restore(self) -> None:
        """Back to forwarding; a closed port opens again."""
        self.mode = "pass"
        with self.lock:
            hung, self.hung = self.hung, []
        for end in hung:
            with contextlib.suppress(OSError):
                end.close()
        if self.listener is None:
            self._listen()

    def close(self) -> None:
        self.refuse()
