"""Real servers on loopback for the tests: an S3 server (moto) standing in for
MinIO and an SMTP server (aiosmtpd) standing in for the mail relay. Each runs
as its own process, spoken to over the network like the real thing."""
import contextlib
import email
import email.policy
import mailbox
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from aiosmtpd.handlers import Mailbox

BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_ports_in_a_row(count):
    """The first of `count` consecutive ports free right now (the launcher
    numbers the services' metrics ports from one setting)."""
    while True:
        first = free_port()
        if first + count <= 65535 and all(_free(port) for port in range(first + 1, first + count)):
            return first


def _free(port):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_for_port(port, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} after {seconds}s")


@contextlib.contextmanager
def running(command, port, **popen):
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **popen)
    try:
        wait_for_port(port, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def s3_server():
    """Yields the settings that point the vault at a fresh S3 server."""
    port = free_port()
    with running([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], port):
        yield {"S3_ENDPOINT": f"127.0.0.1:{port}", "S3_ACCESS_KEY": "test-access",
               "S3_SECRET_KEY": "test-secret", "S3_BUCKET": "documents", "S3_SECURE": "false"}


class CaughtMail:
    """The messages an SMTP server on loopback received, read from its Maildir."""

    def __init__(self, folder):
        self.folder = folder

    @contextlib.contextmanager
    def refusing(self):
        """The relay answers "451 try again later" to every message meanwhile."""
        flag = Path(self.folder).parent / REFUSE_FLAG
        flag.touch()
        try:
            yield
        finally:
            flag.unlink()

    def messages(self):
        """Every message received, parsed with the modern e-mail API (`get_body`, decoded headers)."""
        box = mailbox.Maildir(self.folder, factory=None, create=False)
        return [email.message_from_bytes(box.get_bytes(key), policy=email.policy.default) for key in box.keys()]

    @staticmethod
    def text(message):
        return message.get_body(("plain",)).get_content()

    def wait_for(self, predicate, seconds=15):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = [m for m in self.messages() if predicate(m)]
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"no such e-mail after {seconds}s; received: {[m['Subject'] for m in self.messages()]}")


REFUSE_FLAG = "refuse"


class RefusableMailbox(Mailbox):
    """aiosmtpd's Maildir handler, answering 451 while a `refuse` file sits beside the Maildir."""

    async def handle_DATA(self, server, session, envelope):
        if (Path(self.mail_dir).parent / REFUSE_FLAG).exists():
            return "451 4.3.0 Relay unavailable for a while, try again later"  # SMTP replies are ASCII
        return await super().handle_DATA(server, session, envelope)


@contextlib.contextmanager
def smtp_server(folder):
    """Yields (settings pointing notify at it, CaughtMail); mail lands in folder/maildir."""
    port = free_port()
    folder = Path(folder) / "maildir"
    mailbox.Maildir(folder, create=True)
    command = [str(BIN / "aiosmtpd"), "-n", "-l", f"127.0.0.1:{port}", "-c", "loopback.RefusableMailbox", str(folder)]
    here = str(Path(__file__).parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])}
    with running(command, port, env=env):
        yield {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port)}, CaughtMail(folder)
