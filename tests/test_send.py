"""``python -m newsletter send`` against a real SMTP server: aiosmtpd, in this process, on 127.0.0.1.

Every message the server receives is parsed with the ``email`` package; a run's promises (each address once,
the log, the rate) are checked on what the server saw, not on what the command says it did.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import json
import os
import socket
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from newsletter.errors import LocatedError
from newsletter.send import SendError, address_problem, send

from .conftest import ROOT

STEM = "001-2025-11"
SUBJECTS = {"zh": "第1期 · PANDA微短剧", "en": "PANDA Mini-drama · Issue 1",
            "both": "第1期 · PANDA微短剧 / PANDA Mini-drama · Issue 1"}
SENDER = "PANDA微短剧 <news@panda.example.org>"
LOG = Path(".newsletter/sent") / f"{STEM}.jsonl"


def text_part(lang: str) -> str:
    return f"PANDA {lang} edition 文本\n\nUnsubscribe · 退订: __UNSUBSCRIBE_URL__\n"


def html_part(lang: str) -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><body><p>PANDA {lang} edition 网页</p>'
            '<p><a href="__UNSUBSCRIBE_URL__">Unsubscribe · 退订</a></p></body></html>\n')


def make_book(root: Path, per_minute: int = 30) -> Path:
    """A book folder as the build leaves it for `send`: _config.yml and the email edition of issue 1."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text(
        "title: PANDA微短剧\nsphinx:\n  config:\n    panda_email:\n      unsubscribe_url: "
        "https://panda-minidrama.github.io/newsletter/unsubscribe?email={email}&issue={issue}\n"
        f"      per_minute: {per_minute}\n", encoding="utf-8")
    folder = root / "_build" / "email" / STEM
    folder.mkdir(parents=True)
    for lang in SUBJECTS:
        (folder / f"{lang}.txt").write_text(text_part(lang), encoding="utf-8")
        (folder / f"{lang}.html").write_text(html_part(lang), encoding="utf-8")
    (folder / "edition.json").write_text(json.dumps({
        "stem": STEM, "number": 1, "url": f"https://panda-minidrama.github.io/newsletter/issues/{STEM}.html",
        "subjects": SUBJECTS, "preheaders": {lang: f"preheader {lang}" for lang in SUBJECTS}}, ensure_ascii=False),
        encoding="utf-8")
    return root


def write_list(root: Path, rows: str, name: str = "list.csv") -> Path:
    path = root / name
    path.write_text(rows, encoding="utf-8")
    return path


def unsubscribe(address: str) -> str:
    """The link the default template gives (written out by hand, not by the code under test)."""
    return (f"https://panda-minidrama.github.io/newsletter/unsubscribe?email={address.replace('+', '%2B')}"
            f"&issue={STEM}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives; it can refuse addresses and drop the connection."""

    def __init__(self, refuse=(), drop_after: int | None = None, drop_in_data: int | None = None, on_data=None):
        self.refuse = set(refuse)
        self.drop_after = drop_after  # close the connection at the MAIL FROM after this many accepted messages
        self.drop_in_data = drop_in_data  # keep this message (1-based) but close before replying to its data
        self.on_data = on_data
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.rcpts: list[str] = []  # every RCPT TO the server was asked

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.drop_after is not None and len(self.messages) >= self.drop_after:
            server.transport.close()  # a real drop: the client's next read finds the connection closed
            return "421 closing"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpts.append(address)
        if address in self.refuse:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        if self.on_data:
            self.on_data()
        if self.drop_in_data is not None and len(self.messages) == self.drop_in_data:
            server.transport.close()  # taken, but the reply never reaches the client
        return "250 2.0.0 queued"

    def recipients(self) -> list[str]:
        return [rcpt for _, rcpts, _ in self.messages for rcpt in rcpts]

    def parsed(self) -> dict[str, email.message.EmailMessage]:
        return {rcpts[0]: email.message_from_bytes(content, policy=email.policy.default)
                for _, rcpts, content in self.messages}


@pytest.fixture
def smtp_server():
    """Start an aiosmtpd server with an Inbox handler: smtp_server(**inbox_options, **controller_options)."""
    running = []

    def start(authenticator=None, **options):
        inbox = Inbox(**options)
        extra = {"authenticator": authenticator, "auth_require_tls": False} if authenticator else {}
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **extra)
        controller.start()
        running.append(controller)
        return inbox, controller.port

    yield start
    for controller in running:
        controller.stop()


def smtp_env(port: int, **extra) -> dict[str, str]:
    return {"PANDA_SMTP_HOST": "127.0.0.1", "PANDA_SMTP_PORT": str(port), "PANDA_SMTP_FROM": SENDER,
            "PANDA_SMTP_TLS": "none", **extra}


class FakeTime:
    """An injected clock: sleeping moves it, nothing waits."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def run(root: Path, list_path: Path, env: dict | None, really: bool = True, time: FakeTime | None = None,
        issue: str = "1") -> tuple[int, str]:
    lines: list[str] = []
    time = time or FakeTime()
    status = send(root, issue, list_path, really=really, environ=env or {}, out=lines.append, clock=time.clock,
                  sleep=time.sleep)
    return status, "\n".join(lines)


def logged(root: Path) -> list[str]:
    path = root / LOG
    if not path.exists():
        return []
    return [json.loads(line)["email"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


THREE = "email,lang\nli+news@example.org,zh\nann@example.com,en\nwang@example.net,both\n"


def test_dry_run_prints_each_recipient_and_sends_nothing(tmp_path, smtp_server):
    inbox, port = smtp_server()
    root = make_book(tmp_path / "book")
    status, out = run(root, write_list(tmp_path, THREE), smtp_env(port), really=False)
    assert status == 0
    assert "would send    zh    li+news@example.org  第1期 · PANDA微短剧" in out
    assert "would send    en    ann@example.com  PANDA Mini-drama · Issue 1" in out
    assert "would send    both  wang@example.net  第1期 · PANDA微短剧 / PANDA Mini-drama · Issue 1" in out
    assert "dry run: would send 3 (zh 1, en 1, both 1), already sent before 0, skipped 0; nothing was sent" in out
    assert inbox.messages == [] and inbox.rcpts == []
    assert not (root / ".newsletter").exists()
    # a dry run needs no SMTP settings at all, and names the addresses a log already holds
    (root / LOG).parent.mkdir(parents=True)
    (root / LOG).write_text('{"email": "ANN@example.com", "lang": "en"}\n', encoding="utf-8")
    status, out = run(root, write_list(tmp_path, THREE), None, really=False)
    assert status == 0 and f"already sent  en    ann@example.com ({LOG.as_posix()}:1)" in out
    assert "would send 2 (zh 1, en 0, both 1), already sent before 1" in out


def test_a_send_gives_each_recipient_their_edition_with_its_headers(tmp_path, smtp_server):
    inbox, port = smtp_server()
    root = make_book(tmp_path / "book")
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    status, out = run(root, write_list(tmp_path, THREE), smtp_env(port))
    assert status == 0, out
    assert "sent 3, already sent before 0, skipped 0, failed 0" in out
    received = inbox.parsed()
    assert sorted(received) == ["ann@example.com", "li+news@example.org", "wang@example.net"]
    ids = set()
    for address, lang in [("li+news@example.org", "zh"), ("ann@example.com", "en"), ("wang@example.net", "both")]:
        message, url = received[address], unsubscribe(address)
        assert message.get_content_type() == "multipart/alternative"
        parts = list(message.iter_parts())
        assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
        assert [p.get_content_charset() for p in parts] == ["utf-8", "utf-8"]
        assert message["Subject"] == SUBJECTS[lang]
        assert message["To"] == address
        assert message["From"].addresses[0].addr_spec == "news@panda.example.org"
        assert message["From"].addresses[0].display_name == "PANDA微短剧"
        assert message["Message-ID"].endswith("@panda.example.org>")
        ids.add(message["Message-ID"])
        assert before <= email.utils.parsedate_to_datetime(message["Date"]) <= datetime.now(timezone.utc)
        assert message["List-Unsubscribe"] == f"<{url}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # (MIME text travels with CRLF line ends; a mail client shows them as the file's)
        assert parts[0].get_content().replace("\r\n", "\n") == text_part(lang).replace("__UNSUBSCRIBE_URL__", url)
        assert parts[1].get_content().replace("\r\n", "\n") == html_part(lang).replace(
            "__UNSUBSCRIBE_URL__", url.replace("&", "&amp;"))
    assert len(ids) == 3
    for mail_from, rcpts, content in inbox.messages:
        assert mail_from == "news@panda.example.org" and len(rcpts) == 1
        # the link as a mail client reads it: one raw line, not RFC 2047 encoded words; the body 7-bit
        assert f"\nList-Unsubscribe: <{unsubscribe(rcpts[0])}>\r\n".encode() in content
        assert content.isascii()
    assert sorted(logged(root)) == ["ann@example.com", "li+news@example.org", "wang@example.net"]


def test_a_dropped_connection_then_a_rerun_sends_to_everyone_once(tmp_path, smtp_server):
    five = "email,lang\n" + "".join(f"r{i}@example.org,{'zh en both'.split()[i % 3]}\n" for i in range(1, 6))
    dropping, port = smtp_server(drop_after=2)
    root = make_book(tmp_path / "book")
    status, out = run(root, write_list(tmp_path, five), smtp_env(port))
    assert status == 1
    assert dropping.recipients() == ["r1@example.org", "r2@example.org"]
    assert "stopped: the connection to 127.0.0.1" in out and "after 2 message(s) sent in this run" in out
    assert f"{LOG.as_posix()} has every address sent to. Run the same command again to send to the remaining 3" in out
    assert "on its way" not in out  # the drop came before the 3rd message's data: it cannot have gone
    assert logged(root) == ["r1@example.org", "r2@example.org"]
    working, port = smtp_server()
    status, out = run(root, write_list(tmp_path, five), smtp_env(port))
    assert status == 0, out
    assert "sent 3, already sent before 2" in out
    assert working.recipients() == ["r3@example.org", "r4@example.org", "r5@example.org"]
    everyone = dropping.recipients() + working.recipients()
    assert sorted(everyone) == [f"r{i}@example.org" for i in range(1, 6)]  # each once, none twice
    assert logged(root) == [f"r{i}@example.org" for i in range(1, 6)]


def test_the_window_a_message_taken_without_its_reply_is_named_and_sent_again(tmp_path, smtp_server):
    # the at-least-once window of the module docstring: the server keeps message 2 but the connection drops
    # before its reply; the command cannot know, does not log it, says so, and the rerun sends it again
    four = "email,lang\n" + "".join(f"r{i}@example.org,en\n" for i in range(1, 5))
    dropping, port = smtp_server(drop_in_data=2)
    root = make_book(tmp_path / "book")
    status, out = run(root, write_list(tmp_path, four), smtp_env(port))
    assert status == 1 and logged(root) == ["r1@example.org"]
    assert "The message to r2@example.org was on its way: if the server had taken it, that address gets the issue twice" in out
    working, port = smtp_server()
    assert run(root, write_list(tmp_path, four), smtp_env(port))[0] == 0
    assert working.recipients() == ["r2@example.org", "r3@example.org", "r4@example.org"]


def test_a_refused_recipient_is_reported_not_logged_and_retried_alone(tmp_path, smtp_server):
    inbox, port = smtp_server(refuse={"ann@example.com"})
    root = make_book(tmp_path / "book")
    list_path = write_list(tmp_path, THREE)
    status, out = run(root, list_path, smtp_env(port))
    assert status == 1
    assert sorted(inbox.recipients()) == ["li+news@example.org", "wang@example.net"]
    assert "ann@example.com (line 3): the server refused it (550 5.1.1 <ann@example.com>: mailbox unavailable)" in out
    assert "sent 2, already sent before 0, skipped 0, failed 1 (ann@example.com: 550" in out
    assert "ann@example.com" not in logged(root)
    inbox.rcpts.clear()
    status, out = run(root, list_path, smtp_env(port))
    assert status == 1 and inbox.rcpts == ["ann@example.com"]  # only the refused one is tried again
    assert "sent 0, already sent before 2" in out
    inbox.refuse.clear()
    status, out = run(root, list_path, smtp_env(port))
    assert status == 0 and "sent 1, already sent before 2, skipped 0, failed 0" in out
    assert sorted(inbox.recipients()) == ["ann@example.com", "li+news@example.org", "wang@example.net"]


@pytest.mark.parametrize("password", ["wrong", "right"])
def test_a_login_is_checked_before_anything_is_sent(tmp_path, smtp_server, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        # handled=False: aiosmtpd answers a failure with its own 535 (True would leave the client waiting)
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"panda", b"right"), handled=False)

    inbox, port = smtp_server(authenticator=authenticator)
    root = make_book(tmp_path / "book")
    env = smtp_env(port, PANDA_SMTP_USER="panda", PANDA_SMTP_PASSWORD=password)
    if password == "right":
        assert run(root, write_list(tmp_path, THREE), env)[0] == 0
        assert len(inbox.messages) == 3
        return
    with pytest.raises(SendError, match=r"refused the login of PANDA_SMTP_USER='panda' \(535 .*\): check "
                       "PANDA_SMTP_USER and PANDA_SMTP_PASSWORD; nothing was sent"):
        run(root, write_list(tmp_path, THREE), env)
    assert inbox.messages == [] and inbox.rcpts == []
    assert not (root / LOG).exists()


def test_bad_lines_are_reported_by_line_and_skipped_the_rest_go_out(tmp_path, smtp_server):
    inbox, port = smtp_server()
    root = make_book(tmp_path / "book")
    rows = ("email,lang\n"
            "ok1@example.org,zh\n"
            "not-an-address,en\n"
            "ok2@example.org,fr\n"
            '"a@b.org\nBcc: x@y.org",en\n'
            "OK1@Example.ORG,both\n"
            "two@@example.org,en\n"
            "Li <li@example.org>,en\n"
            "ok3@example.org, Both \n")
    status, out = run(root, write_list(tmp_path, rows), smtp_env(port))
    assert status == 1
    assert "list.csv:3: 'not-an-address' is not a bare address" in out
    assert "list.csv:4: lang 'fr' for ok2@example.org must be one of zh, en, both; skipped" in out
    assert "list.csv:5: 'a@b.org\\nBcc: x@y.org' holds a line break or control character" in out
    assert "list.csv:7: OK1@Example.ORG is on line 2 too; sent once" in out
    assert "list.csv:8: 'two@@example.org' is not a bare address" in out
    assert "list.csv:9: 'Li <li@example.org>' holds a space" in out
    assert (f"sent 2, already sent before 0, skipped 5 ({(tmp_path / 'list.csv').as_posix()}: bad address on lines 3, "
            "5, 8, 9; bad lang on line 4), 1 duplicate line(s) sent once, failed 0") in out
    assert inbox.recipients() == ["ok1@example.org", "ok3@example.org"]
    assert inbox.parsed()["ok3@example.org"]["Subject"] == SUBJECTS["both"]
    assert all(b"x@y.org" not in content and b"\nBcc" not in content for _, _, content in inbox.messages)


def test_a_list_without_the_columns_names_the_file_and_the_fix(tmp_path):
    root = make_book(tmp_path / "book")
    for rows in ("address,language\na@example.org,zh\n", "email;lang\na@example.org;zh\n", ""):
        with pytest.raises(LocatedError) as error:
            run(root, write_list(tmp_path, rows), None, really=False)
        assert str(error.value).startswith(f"{(tmp_path / 'list.csv').as_posix()}:1: ")
        assert "the first line must name the columns 'email,lang'" in str(error.value)


@pytest.mark.parametrize(("address", "good"), [
    ("li@example.org", True), ("li.wei+news@mail.example.com.cn", True), ("a_b-c@xn--fiqs8s.cn", True),
    ("li@example", False), ("li@@example.org", False), ("li@exa mple.org", False), ("li@.example.org", False),
    ("li@example.org\r\nBcc: x@y.org", False), ("li@example.org\x00", False), ("<li@example.org>", False),
    ("li@example.org, x@y.org", False), ("李@example.org", False), ('"li wei"@example.org', False),
    (".li@example.org", False), ("li@-example.org", False), ("", False),
])
def test_the_address_check(address, good):
    assert (address_problem(address) is None) is good


def test_the_rate_limit_waits_a_rolling_minute_without_waiting(tmp_path, smtp_server):
    time = FakeTime()
    inbox, port = smtp_server(on_data=lambda: setattr(time, "now", time.now + 5))  # each message takes 5 s
    root = make_book(tmp_path / "book", per_minute=2)
    five = "email,lang\n" + "".join(f"r{i}@example.org,en\n" for i in range(1, 6))
    status, _ = run(root, write_list(tmp_path, five), smtp_env(port), time=time)
    assert status == 0 and len(inbox.messages) == 5
    # starts at 0 and 5; the 3rd waits until 60 (50 s); the 4th starts at 65, a minute after the 2nd (no wait);
    # the 5th waits until 120, a minute after the 3rd
    assert time.sleeps == [50.0, 50.0]
    assert time.now == 1000.0 + 125


@pytest.mark.parametrize(("variable", "value", "words"), [
    ("PANDA_SMTP_HOST", None, "PANDA_SMTP_HOST is not set: export PANDA_SMTP_HOST=smtp.example.org"),
    ("PANDA_SMTP_PORT", None, "PANDA_SMTP_PORT is not set: export PANDA_SMTP_PORT=25"),
    ("PANDA_SMTP_FROM", None, "PANDA_SMTP_FROM is not set"),
    ("PANDA_SMTP_TLS", None, "PANDA_SMTP_TLS is not set: export PANDA_SMTP_TLS=starttls"),
    ("PANDA_SMTP_TLS", "ssl", "PANDA_SMTP_TLS='ssl' must be one of none, starttls, tls"),
    ("PANDA_SMTP_PORT", "smtp", "PANDA_SMTP_PORT='smtp' must be a port number"),
    ("PANDA_SMTP_FROM", "PANDA", "PANDA_SMTP_FROM='PANDA' holds no valid address"),
    ("PANDA_SMTP_USER", "panda", "PANDA_SMTP_PASSWORD is not set but PANDA_SMTP_USER is"),
])
def test_a_missing_or_bad_smtp_variable_is_named(tmp_path, smtp_server, variable, value, words):
    inbox, port = smtp_server()
    root = make_book(tmp_path / "book")
    env = smtp_env(port)
    env.pop(variable, None)
    if value is not None:
        env[variable] = value
    with pytest.raises(SendError, match=words.replace("(", r"\(").replace("+", r"\+")):
        run(root, write_list(tmp_path, THREE), env)
    assert inbox.rcpts == [] and not (root / ".newsletter").exists()


def test_a_password_is_not_sent_in_the_clear_to_another_machine(tmp_path):
    root = make_book(tmp_path / "book")
    env = smtp_env(25, PANDA_SMTP_HOST="smtp.example.org", PANDA_SMTP_USER="u", PANDA_SMTP_PASSWORD="p")
    with pytest.raises(SendError, match="PANDA_SMTP_TLS=none would send PANDA_SMTP_PASSWORD unencrypted"):
        run(root, write_list(tmp_path, THREE), env)


def test_the_issue_is_found_by_number_stem_or_file_and_a_missing_edition_says_to_build(tmp_path):
    root = make_book(tmp_path / "book")
    list_path = write_list(tmp_path, THREE)
    for issue in ("1", "001", STEM, f"issues/{STEM}.md"):
        assert "issue 1 (001-2025-11)" in run(root, list_path, None, really=False, issue=issue)[1]
    (root / "issues").mkdir()
    (root / "issues" / "002-2025-12.md").write_text("", encoding="utf-8")
    for issue in ("2", "issues/002-2025-12.md"):
        with pytest.raises(SendError, match=r"_build/email/002-2025-12/edition.json not found: run 'jupyter-book "
                           r"build \.' first"):
            run(root, list_path, None, really=False, issue=issue)
    with pytest.raises(SendError, match="no issue number 7"):
        run(root, list_path, None, really=False, issue="7")
    with pytest.raises(SendError, match="is not an issue"):
        run(root, list_path, None, really=False, issue="../../etc/passwd")


def test_the_command_line_sends_and_a_second_run_sends_nothing(tmp_path, smtp_server):
    inbox, port = smtp_server()
    root = make_book(tmp_path / "book")
    (root / "list.csv").write_text("email,lang\nli@example.org,zh\nann@example.com,en\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), **smtp_env(port)}
    command = [sys.executable, "-m", "newsletter", "send", "1", "--list", "list.csv"]

    def cli(*extra, env=env):
        return subprocess.run([*command, *extra], cwd=root, env=env, capture_output=True, text=True, timeout=60)

    dry = cli()
    assert dry.returncode == 0 and "would send    zh    li@example.org" in dry.stdout and inbox.messages == []
    proc = cli("--send")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "sent 2, already sent before 0, skipped 0, failed 0" in proc.stdout
    assert sorted(inbox.recipients()) == ["ann@example.com", "li@example.org"]
    assert sorted(logged(root)) == ["ann@example.com", "li@example.org"]
    again = cli("--send")
    assert again.returncode == 0 and "sent 0, already sent before 2" in again.stdout and len(inbox.messages) == 2
    no_host = cli("--send", env={k: v for k, v in env.items() if k != "PANDA_SMTP_HOST"})
    assert no_host.returncode == 1 and "error: PANDA_SMTP_HOST is not set" in no_host.stderr
    (root / "list.csv").write_text("mail,lang\n", encoding="utf-8")
    bad = cli()
    assert bad.returncode == 1 and bad.stderr.startswith("list.csv:1: the columns are 'mail', 'lang'")


def test_ctrl_c_stops_with_the_log_kept_and_the_rerun_finishes(tmp_path, smtp_server):
    def interrupt(seconds):
        raise KeyboardInterrupt

    inbox, port = smtp_server()
    root = make_book(tmp_path / "book", per_minute=1)
    status, out = run(root, write_list(tmp_path, THREE), smtp_env(port), time=FakeTime())
    assert status == 0 and len(inbox.messages) == 3  # (a fake clock: each message waits a minute of it)
    (root / LOG).unlink()
    inbox.messages.clear()
    lines: list[str] = []
    status = send(root, "1", write_list(tmp_path, THREE), really=True, environ=smtp_env(port), out=lines.append,
                  clock=FakeTime().clock, sleep=interrupt)
    out = "\n".join(lines)
    assert status == 1 and inbox.recipients() == ["li+news@example.org"] and logged(root) == ["li+news@example.org"]
    assert "stopped: interrupted (Ctrl-C) after 1 message(s) sent in this run" in out and "remaining 2" in out
    assert "on its way" not in out


def test_one_run_at_a_time_and_a_cut_off_log_line_is_named(tmp_path, smtp_server):
    from newsletter.send import SendLog

    inbox, port = smtp_server()
    root = make_book(tmp_path / "book")
    holder = SendLog(root / LOG)
    try:
        with pytest.raises(SendError, match="001-2025-11.jsonl is locked: another 'python -m newsletter send' of "
                           "this issue is running"):
            run(root, write_list(tmp_path, THREE), smtp_env(port))
    finally:
        holder.close()
    assert inbox.messages == []
    (root / LOG).write_text('{"email": "ann@example.com"}\n{"email": "li+ne', encoding="utf-8")
    with pytest.raises(LocatedError, match=r"001-2025-11.jsonl:2: not a line this command wrote; the message to this "
                       "line's address was accepted"):
        run(root, write_list(tmp_path, THREE), smtp_env(port))
    assert inbox.messages == []


@pytest.mark.parametrize("value", ["5", "null", "[a]", "http://example.org/u?email={email}", "https://example.org/u"])
def test_a_bad_unsubscribe_url_in_the_config_names_the_key_and_the_fix(tmp_path, value):
    root = make_book(tmp_path / "book")
    config = root / "_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "https://panda-minidrama.github.io/newsletter/unsubscribe?email={email}&issue={issue}", value), encoding="utf-8")
    with pytest.raises(LocatedError, match=r"_config.yml:4: sphinx: config: panda_email: unsubscribe_url .* must be "
                       r"an https address holding \{email\}"):
        run(root, write_list(tmp_path, THREE), None, really=False)


def test_a_list_saved_by_a_spreadsheet_bom_crlf_and_extra_columns_reads_with_its_line_numbers(tmp_path):
    root = make_book(tmp_path / "book")
    path = tmp_path / "list.csv"
    path.write_bytes("\ufeffName,Email,Lang\r\n李伟,li@example.org,ZH\r\n\r\n\"Ann, A.\",ann@,en\r\nWang,wang@example.net,both\r\n"
                     .encode("utf-8"))
    status, out = run(root, path, None, really=False)
    assert status == 1
    assert "would send    zh    li@example.org" in out and "would send    both  wang@example.net" in out
    assert f"{path.as_posix()}:4: 'ann@' is not a bare address" in out
    assert "would send 2 (zh 1, en 0, both 1)" in out
