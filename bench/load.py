"""The load generator the server benchmarks share: keep-alive senders of prepared, signed
requests from many threads, and what they measured (latencies, statuses, elapsed time)."""

from __future__ import annotations

import gc
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    @property
    def non_200(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200)

    def p(self, share: float) -> float:
        return percentile(self.latencies, share) * 1000

    def merge(self, other: Result) -> None:
        self.latencies += other.latencies
        self.elapsed += other.elapsed
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n


class Sender:
    """One keep-alive HTTP/1.1 connection that POSTs prepared requests and reads each
    answer's status: the load generator's whole client.

    httpx spent 0.8 ms of CPU per request in the sending process, more than the bare Bolt
    app spent answering it; on two cores the load generator then took the CPU from whichever
    server it measured, and both apps' tails were as much the client's as the server's. This
    costs a small fraction of that: the request bytes are built before the clock starts, and
    only an answer's status line and length are read.
    """

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.head = f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        self.sock: socket.socket | None = None

    def prepare(self, body: bytes, headers: dict) -> bytes:
        fields = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        return f"{self.head}{fields}Content-Length: {len(body)}\r\n\r\n".encode() + body

    def post(self, request: bytes) -> int:
        """Send one prepared request; the answer's HTTP status (0 when there was none)."""
        for attempt in (1, 2):
            fresh = self.sock is None
            if fresh:
                self.sock = socket.create_connection(self.address, timeout=30)
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                self.sock.sendall(request)
                status, keep = self._answer()
            except OSError:
                self.close()
                # A kept-alive connection the server closed while idle: it read nothing of
                # this request, which goes again once on a new connection.
                if fresh or attempt == 2:
                    return 0
                continue
            if not keep:
                self.close()
            return status
        return 0

    def _answer(self) -> tuple[int, bool]:
        assert self.sock is not None
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionResetError("closed before answering")
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").lower().split("\r\n")
        headers = dict(line.split(":", 1) for line in lines[1:])
        length = int(headers["content-length"])  # Bolt sets it on every answer
        while len(body) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionResetError("closed in the middle of an answer")
            body += chunk
        return int(lines[0].split()[1]), headers.get("connection", "").strip() != "close"

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def blast(url: str, requests: list[tuple[bytes, dict]], *, concurrency: int) -> Result:
    """Send prepared (body, headers) requests from `concurrency` threads as fast as answered."""
    result = Result()
    senders = [Sender(url) for _ in range(concurrency)]
    prepared = [senders[0].prepare(body, headers) for body, headers in requests]
    position = iter(range(len(prepared)))
    take = threading.Lock()

    def worker(sender: Sender) -> None:
        try:
            while True:
                with take:
                    index = next(position, None)
                if index is None:
                    return
                start = time.perf_counter()
                status = sender.post(prepared[index])
                took = time.perf_counter() - start
                with result.lock:
                    result.latencies.append(took)
                    result.statuses[status] = result.statuses.get(status, 0) + 1
        finally:
            sender.close()

    threads = [threading.Thread(target=worker, args=(sender,)) for sender in senders]
    # The load generator's own garbage collector stopped all 20 senders for 40-65 ms once or
    # twice a run (a full collection of the prepared requests and results), and the 20
    # requests in flight then counted as the app's slowest: they were the p99 of whichever
    # app was being measured. So it collects before the burst and not during it.
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        result.elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    return result
