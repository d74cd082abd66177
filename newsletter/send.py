"""``python -m newsletter send ISSUE --list FILE.csv [--send]``: the email edition, one message per subscriber.

ISSUE is the issue's number (``1``), its stem (``001-2025-11``) or its file (``issues/001-2025-11.md``);
the command reads the edition the build wrote to ``_build/email/<stem>/`` (mailing.py describes the files),
the list (a CSV file with the columns ``email`` and ``lang``, ``lang`` one of zh, en, both), the rate limit
and the unsubscribe link from ``_config.yml`` (``panda_email``), and the SMTP server from environment
variables only (``PANDA_SMTP_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD``, ``_FROM``, ``_TLS``), never from the
repository. Without ``--send`` it is a dry run: it prints who would get which edition and sends nothing and
writes nothing.

Each message is ``multipart/alternative``, the text part first, then the HTML (UTF-8, 7-bit transfer
encodings, so no server has to take 8-bit mail), with the edition's subject in the recipient's language,
``Message-ID``, ``Date``, ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` (RFC 8058 one-click); the
recipient's unsubscribe link replaces :data:`~newsletter.mailing.UNSUBSCRIBE_PLACEHOLDER` in both parts (escaped
for HTML in the HTML part) and is the ``List-Unsubscribe`` URL, written unfolded and unencoded (Python's email
package would turn a header line longer than 78 characters into RFC 2047 encoded words, which no mail client
reads as a link).

Safe to run again, precisely:

- **The send log** ``.newsletter/sent/<stem>.jsonl`` gets one JSON line per address the moment the SMTP server
  has accepted its message (the reply to the message's data), written, flushed and fsynced before the next
  message is handed over; a run reads it first and sends to no address in it. So an address that is in the log
  never gets the issue again, and every address of the list not in the log is sent to on the next run: after a
  crash, a dropped connection, a refused recipient or Ctrl-C, running the same command again misses no one.
- **The window**: a message the server accepted whose log line was not written yet, because the process died
  in the microseconds between the server's reply and the fsync, or because the connection dropped after the
  message's data went out but before the server's reply reached us (SMTP cannot tell then whether it was
  taken), is sent again by the next run. That is at most one address per interruption, the one in flight; the
  command names it when it sees the interruption (a dropped connection, Ctrl-C), not when the process is killed.
  Every other address is handed to the server exactly once: at-least-once for the message in flight,
  exactly-once for the rest. A connection lost before a message's data went out (at MAIL FROM or RCPT TO) leaves
  no such doubt.
- **One run at a time**: a run holds an exclusive lock on the issue's log (``flock``, POSIX) while it sends; a
  second run of the same issue stops at once instead of reading a log the first is still writing.
- **Addresses** are compared case-insensitively (the domain by the standard, the local part because every
  mail service of note treats it so, and a subscriber typing ``Li@`` one day and ``li@`` the next must not
  get two copies); the log keeps them as the list gives them. A duplicate in the list is reported and sent once.

The log holds subscribers' addresses: ``.newsletter/`` is in ``.gitignore``; keep the lists out of the repository
too.

The rate: at most ``per_minute`` (``_config.yml``) messages start in any 60 seconds, a sliding window: the
(n + per_minute)-th message waits until a minute after the n-th started.

Everything that can go wrong is reported with what to do: a bad line of the list by its line number (and
skipped; the rest go out), a refused recipient (reported, not logged, so the next run retries it), a dropped
connection (the run stops, says how many went out and to run the same command again), bad credentials (nothing
is sent). Exit status: 0 if every address of the list has been sent the issue, in this run or before (a
duplicate line counts as its first); 1 if a line was skipped, an address refused or the run stopped, or on an
error. A dry run exits 1 if a line would be skipped.
"""

from __future__ import annotations

import csv
import email.policy
import email.utils
import html
import io
import json
import os
import re
import smtplib
import ssl
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from pathlib import Path, PurePath
from typing import Callable, Mapping

from .book import ISSUE_NAME, issue_files
from .errors import LocatedError
from .mailing import EMAIL_DIR, LANGS, UNSUBSCRIBE_PLACEHOLDER, EmailSettings, read_email_settings

try:  # POSIX: one run per issue at a time
    import fcntl
except ImportError:  # pragma: no cover (Windows: no lock)
    fcntl = None

SENT_DIR = ".newsletter/sent"
#: the environment variables of the SMTP server
ENV = ("PANDA_SMTP_HOST", "PANDA_SMTP_PORT", "PANDA_SMTP_USER", "PANDA_SMTP_PASSWORD", "PANDA_SMTP_FROM",
       "PANDA_SMTP_TLS")
TLS_MODES = ("none", "starttls", "tls")
#: the seconds a rolling minute lasts (per_minute counts messages in any such span)
MINUTE = 60.0
#: how long one SMTP command may take before the connection counts as lost
TIMEOUT = 60.0

#: an address as the list may give it: a dot-atom local part, '@', a domain of at least two labels
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN = re.compile(r"([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SendError(Exception):
    """The command cannot go on; the message names the file or variable at fault and the fix."""


class _UnfoldedHeader(UnstructuredHeader):
    """A header written on one line as given (an ASCII URL in angle brackets), never as encoded words."""

    def fold(self, *, policy):
        return f"{self.name}: {self}{policy.linesep}"


def _policy() -> email.policy.EmailPolicy:
    registry = HeaderRegistry()  # its own registry: email.policy.SMTP's is shared by every user of the module
    registry.map_to_type("list-unsubscribe", _UnfoldedHeader)
    return email.policy.SMTP.clone(cte_type="7bit", header_factory=registry)


POLICY = _policy()


# -- the list --------------------------------------------------------------------------------------------------


def address_problem(text: str) -> str | None:
    """Why ``text`` is not an address a message can go to (None if it is one)."""
    if _CONTROL.search(text):
        return (f"{text!r} holds a line break or control character (a header injection, or two addresses in "
                "one field); give one address per line")
    if not text:
        return "the email field is empty"
    if not text.isascii():
        return (f"{text!r} is not ASCII: write the domain as punycode (xn--...); addresses with a non-ASCII "
                "local part are not supported")
    if " " in text or "\t" in text:
        return f"{text!r} holds a space; an address has none"
    if email.utils.parseaddr(text) != ("", text) or text.count("@") != 1:
        return f"{text!r} is not a bare address like name@example.org (one '@', no name, no angle brackets)"
    local, domain = text.split("@")
    if not _LOCAL.fullmatch(local):
        return f"{text!r}: the part before '@' is not a plain address part (letters, digits, . + - _ and the like)"
    if not _DOMAIN.fullmatch(domain) or len(text) > 254:
        return f"{text!r}: {domain!r} is not a domain name like example.org"
    return None


def address_key(address: str) -> str:
    """The address as the command compares it (module docstring: case-insensitive)."""
    return address.strip().lower()


@dataclass(frozen=True)
class Recipient:
    email: str
    lang: str
    line: int

    @property
    def key(self) -> str:
        return address_key(self.email)


@dataclass(frozen=True)
class Problem:
    """A line of the list left out: its number, the kind of fault (for the summary) and the whole report."""

    line: int
    kind: str  # 'bad address' or 'bad lang'
    text: str  # 'list.csv:4: why; skipped'

    def __str__(self) -> str:
        return self.text


@dataclass
class RecipientList:
    path: Path
    recipients: list[Recipient] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: repeated addresses, each 'list.csv:6: ... is on line 2 too; sent once'
    duplicates: list[str] = field(default_factory=list)


def read_list(path: Path) -> RecipientList:
    """The recipients of a CSV list with the columns email and lang; a bad line is recorded and left out."""
    name = path.as_posix()
    header_fix = ("the first line must name the columns 'email,lang' (then one subscriber a line, e.g. "
                  "'li@example.org,zh'; lang is zh, en or both)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SendError(f"{name}: no such file; give the subscriber list with --list FILE.csv") from None
    except UnicodeDecodeError:
        raise LocatedError(name, 1, "not UTF-8 text: save the list as 'CSV UTF-8'") from None
    result = RecipientList(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)  # lines end at \n, \r\n or \r only
    seen: dict[str, int] = {}
    columns: dict[str, int] | None = None
    ended = 0  # the line the previous record ended on
    try:
        for row in reader:
            line, ended = ended + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if columns is None:
                names = [cell.strip().lower() for cell in row]
                if "email" not in names or "lang" not in names:
                    raise LocatedError(name, line, f"the columns are {', '.join(map(repr, row))}: {header_fix}")
                columns = {"email": names.index("email"), "lang": names.index("lang")}
                continue
            address = row[columns["email"]] if columns["email"] < len(row) else ""
            lang = (row[columns["lang"]] if columns["lang"] < len(row) else "").strip().lower()
            address = address.strip(" ")
            problem, kind = address_problem(address), "bad address"
            if problem is None and lang not in LANGS:
                problem, kind = f"lang {lang!r} for {address} must be one of {', '.join(LANGS)}", "bad lang"
            if problem is not None:
                result.problems.append(Problem(line, kind, f"{name}:{line}: {problem}; skipped"))
                continue
            recipient = Recipient(address, lang, line)
            if recipient.key in seen:
                result.duplicates.append(f"{name}:{line}: {address} is on line {seen[recipient.key]} too; sent once")
                continue
            seen[recipient.key] = line
            result.recipients.append(recipient)
    except csv.Error as exc:
        raise LocatedError(name, reader.line_num, f"not valid CSV ({exc}); quote a field that holds a comma, a "
                           "quote or a line break with double quotes") from None
    if columns is None:
        raise LocatedError(name, 1, f"the list is empty: {header_fix}")
    return result


# -- the edition -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edition:
    stem: str
    number: int
    subjects: dict[str, str]
    texts: dict[str, str]
    htmls: dict[str, str]


def issue_stem(root: Path, issue: str) -> str:
    """The stem of ISSUE given as a number, a stem or an issue file."""
    text = issue.strip()
    example = "give the issue's number (1), its stem (001-2025-11) or its file (issues/001-2025-11.md)"
    if text.isdigit():
        number = int(text)
        built = [p.name for p in (root / EMAIL_DIR).glob("*") if p.is_dir() and ISSUE_NAME.match(p.name + ".md")]
        written = [p.stem for p in issue_files(root) if ISSUE_NAME.match(p.name)]
        stems = sorted({s for s in built + written if int(s[:3]) == number})
        if not stems:
            raise SendError(f"no issue number {number} in issues/ or {EMAIL_DIR}/: {example}")
        if len(stems) > 1:
            raise SendError(f"more than one issue has the number {number} ({', '.join(stems)}): name it by its stem")
        return stems[0]
    stem = PurePath(text).name.removesuffix(".md")
    if not ISSUE_NAME.match(stem + ".md"):
        raise SendError(f"{issue!r} is not an issue: {example}")
    return stem


def read_edition(root: Path, stem: str) -> Edition:
    """The built email edition of the issue ``stem``; an error says to build first."""
    folder = root / EMAIL_DIR / stem
    where = f"{EMAIL_DIR}/{stem}"
    build = "run 'jupyter-book build .' first (it writes the email edition of every published issue)"
    if not (folder / "edition.json").is_file():
        raise SendError(f"{where}/edition.json not found: {build}")
    try:
        data = json.loads((folder / "edition.json").read_text(encoding="utf-8"))
        subjects = {lang: str(data["subjects"][lang]) for lang in LANGS}
        number = int(data["number"])
    except (ValueError, KeyError, TypeError) as exc:
        raise LocatedError(f"{where}/edition.json", 1, f"not the build's edition file ({exc!r}); {build}") from None
    if data.get("stem") != stem:
        raise LocatedError(f"{where}/edition.json", 1, f"it is the edition of {data.get('stem')!r}, not {stem!r}; "
                           f"{build}")
    parts: dict[str, dict[str, str]] = {"txt": {}, "html": {}}
    for lang in LANGS:
        for kind in parts:
            path = folder / f"{lang}.{kind}"
            if not path.is_file():
                raise SendError(f"{where}/{lang}.{kind} not found: {build}")
            body = path.read_text(encoding="utf-8")
            if UNSUBSCRIBE_PLACEHOLDER not in body:
                raise LocatedError(f"{where}/{lang}.{kind}", 1, f"has no {UNSUBSCRIBE_PLACEHOLDER}, so its readers "
                                   f"would get no unsubscribe link; {build}")
            parts[kind][lang] = body
    return Edition(stem, number, subjects, parts["txt"], parts["html"])


# -- the server --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    password: str
    sender: str  # the From header, e.g. 'PANDA微短剧 <news@example.org>'
    sender_address: str  # the envelope sender, news@example.org
    tls: str


def smtp_settings(environ: Mapping[str, str]) -> SmtpSettings:
    """The SMTP server from the environment; an error names the variable and the fix."""
    def need(name: str, example: str) -> str:
        value = environ.get(name, "").strip()
        if not value:
            raise SendError(f"{name} is not set: export {name}={example} (the SMTP settings come from environment "
                            "variables only, never from the repository)")
        return value

    host = need("PANDA_SMTP_HOST", "smtp.example.org")
    tls = need("PANDA_SMTP_TLS", "starttls").lower()
    if tls not in TLS_MODES:
        raise SendError(f"PANDA_SMTP_TLS={tls!r} must be one of {', '.join(TLS_MODES)} (starttls: port 587, "
                        "tls: port 465, none: only a server on this machine)")
    port_text = need("PANDA_SMTP_PORT", {"starttls": "587", "tls": "465", "none": "25"}[tls])
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise SendError(f"PANDA_SMTP_PORT={port_text!r} must be a port number, e.g. 587 for starttls or 465 for tls")
    sender = need("PANDA_SMTP_FROM", "'PANDA微短剧 <news@example.org>'")
    if _CONTROL.search(sender):
        raise SendError("PANDA_SMTP_FROM holds a line break or control character: give one line, e.g. "
                        "'PANDA微短剧 <news@example.org>'")
    mailboxes = email.utils.getaddresses([sender])
    if len(mailboxes) != 1:
        raise SendError(f"PANDA_SMTP_FROM={sender!r} names {len(mailboxes)} addresses; a message comes from one "
                        "mailbox: give one, e.g. 'PANDA微短剧 <news@example.org>'")
    _name, address = mailboxes[0]
    if address_problem(address):
        raise SendError(f"PANDA_SMTP_FROM={sender!r} holds no valid address: {address_problem(address)}; e.g. "
                        "'PANDA微短剧 <news@example.org>'")
    user = environ.get("PANDA_SMTP_USER", "")
    password = environ.get("PANDA_SMTP_PASSWORD", "")
    if bool(user) != bool(password):
        given, missing = ("PANDA_SMTP_USER", "PANDA_SMTP_PASSWORD") if user else ("PANDA_SMTP_PASSWORD",
                                                                                  "PANDA_SMTP_USER")
        raise SendError(f"{missing} is not set but {given} is: set both to log in, or neither for a server that "
                        "needs no login")
    if password and tls == "none" and host not in ("localhost", "127.0.0.1", "::1"):
        raise SendError(f"PANDA_SMTP_TLS=none would send PANDA_SMTP_PASSWORD unencrypted to {host}: set "
                        "PANDA_SMTP_TLS=starttls (port 587) or tls (port 465)")
    return SmtpSettings(host, int(port_text), user, password, sender, address, tls)


class _DataTracking:
    """Notes when a message's data starts: only after that can a dropped connection hide a message the server took."""

    data_started = False

    def data(self, msg):
        self.data_started = True
        return super().data(msg)


class _SMTP(_DataTracking, smtplib.SMTP):
    pass


class _SMTP_SSL(_DataTracking, smtplib.SMTP_SSL):
    pass


def connect(smtp: SmtpSettings) -> smtplib.SMTP:
    """An open, logged-in connection; an error says what to check."""
    where = f"{smtp.host}:{smtp.port}"
    context = ssl.create_default_context()
    try:
        if smtp.tls == "tls":
            server: smtplib.SMTP = _SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT, context=context)
        else:
            server = _SMTP(smtp.host, smtp.port, timeout=TIMEOUT)
    except ssl.SSLError as exc:
        raise SendError(f"TLS with {where} failed ({exc}): check PANDA_SMTP_TLS (tls is for port 465, starttls "
                        "for 587)") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise SendError(f"could not connect to {where} ({exc}): check PANDA_SMTP_HOST and PANDA_SMTP_PORT") from None
    try:
        if smtp.tls == "starttls":
            server.starttls(context=context)
        if smtp.user:
            server.login(smtp.user, smtp.password)
    except smtplib.SMTPAuthenticationError as exc:
        _quit(server)
        raise SendError(f"{where} refused the login of PANDA_SMTP_USER={smtp.user!r} ({exc.smtp_code} "
                        f"{_text(exc.smtp_error)}): check PANDA_SMTP_USER and PANDA_SMTP_PASSWORD; nothing was "
                        "sent") from None
    except smtplib.SMTPNotSupportedError as exc:
        _quit(server)
        raise SendError(f"{where} does not offer {'STARTTLS' if smtp.tls == 'starttls' else 'a login'} ({exc}): "
                        "check PANDA_SMTP_TLS and PANDA_SMTP_PORT; nothing was sent") from None
    except (ssl.SSLError, ssl.CertificateError) as exc:
        _quit(server)
        raise SendError(f"TLS with {where} failed ({exc}): check PANDA_SMTP_HOST (the certificate's name) and "
                        "PANDA_SMTP_TLS; nothing was sent") from None
    except (OSError, smtplib.SMTPException) as exc:
        _quit(server)
        raise SendError(f"{where} ended the session before sending ({exc}): check the PANDA_SMTP_ variables; "
                        "nothing was sent") from None
    return server


def _quit(server: smtplib.SMTP) -> None:
    try:
        server.quit()
    except (OSError, smtplib.SMTPException):
        server.close()


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


# -- the messages ------------------------------------------------------------------------------------------------


def unsubscribe_link(settings: EmailSettings, recipient: Recipient, stem: str) -> str:
    """The recipient's unsubscribe URL, fit for a header line of its own."""
    url = settings.unsubscribe_for(recipient.email, stem)
    if not url.isascii() or _CONTROL.search(url) or " " in url or len(url) > 900:
        raise SendError(f"_config.yml: panda_email: unsubscribe_url gives {url!r} for {recipient.email}: the link "
                        "must be ASCII without spaces and under 900 characters; write a non-ASCII domain as punycode")
    return url


def build_message(edition: Edition, recipient: Recipient, settings: EmailSettings, smtp: SmtpSettings) -> EmailMessage:
    """The recipient's message: their edition, their unsubscribe link in both parts and the headers."""
    url = unsubscribe_link(settings, recipient, edition.stem)
    message = EmailMessage(policy=POLICY)
    message["Subject"] = edition.subjects[recipient.lang]
    message["From"] = smtp.sender
    message["To"] = recipient.email
    message["Date"] = email.utils.format_datetime(datetime.now(timezone.utc))
    message["Message-ID"] = email.utils.make_msgid(domain=smtp.sender_address.rpartition("@")[2])
    message["List-Unsubscribe"] = f"<{url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(edition.texts[recipient.lang].replace(UNSUBSCRIBE_PLACEHOLDER, url), subtype="plain",
                        charset="utf-8")
    message.add_alternative(edition.htmls[recipient.lang].replace(UNSUBSCRIBE_PLACEHOLDER, html.escape(url)),
                            subtype="html", charset="utf-8")
    return message


# -- the log -----------------------------------------------------------------------------------------------------


def log_path(root: Path, stem: str) -> Path:
    return root / SENT_DIR / f"{stem}.jsonl"


def read_log(path: Path) -> dict[str, int]:
    """The addresses the log holds (compared as :func:`address_key`), with their lines."""
    if not path.exists():
        return {}
    sent: dict[str, int] = {}
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise LocatedError(path.as_posix(), line, "not UTF-8: this command writes the log as UTF-8 and nothing "
                           "else should write to it; restore the line as the command wrote it "
                           '({"email": "ADDRESS", ...}) or delete it (that address would get the issue '
                           "again)") from None
    except IsADirectoryError:
        raise LocatedError(path.as_posix(), 1, "is a folder, not the send log: move it away") from None
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            address = json.loads(text)["email"]
            if not isinstance(address, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise LocatedError(path.as_posix(), number, "not a line this command wrote; the message to this "
                               "line's address was accepted by the server before the line was cut off: complete it "
                               'as {"email": "ADDRESS"} if you can tell the address, or delete it (that address '
                               "would get the issue again)") from None
        sent.setdefault(address_key(address), number)
    return sent


class SendLog:
    """The issue's log, locked for this run, appended one fsynced line per accepted message."""

    def __init__(self, path: Path):
        self.path = path
        created = not path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(path, "a", encoding="utf-8")  # closed by close()
        if fcntl is not None:
            try:
                fcntl.flock(self.file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self.file.close()
                raise SendError(f"{path.as_posix()} is locked: another 'python -m newsletter send' of this issue is "
                                "running; wait for it to finish, then run this command again") from None
        if created:  # the file's name must survive a crash too
            _fsync_dir(path.parent)
        try:
            self.sent = read_log(path)
        except BaseException:
            self.file.close()
            raise

    def record(self, recipient: Recipient, message_id: str) -> None:
        line = json.dumps({"email": recipient.email, "lang": recipient.lang, "message_id": message_id,
                           "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}, ensure_ascii=False)
        self.file.write(line + "\n")
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self) -> None:
        self.file.close()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover (a system that cannot open folders)
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


# -- the rate ----------------------------------------------------------------------------------------------------


class RateLimit:
    """At most ``per_minute`` messages start in any 60 seconds: the (n + per_minute)-th waits until a minute after
    the n-th started."""

    def __init__(self, per_minute: int, clock: Callable[[], float], sleep: Callable[[float], None]):
        self.per_minute, self.clock, self.sleep = per_minute, clock, sleep
        self.starts: deque[float] = deque()

    def wait(self) -> None:
        if len(self.starts) >= self.per_minute:
            delay = self.starts[0] + MINUTE - self.clock()
            if delay > 0:
                self.sleep(delay)
            self.starts.popleft()
        self.starts.append(self.clock())


# -- the command -------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    sent: int = 0
    before: int = 0
    failed: list[str] = field(default_factory=list)
    stopped: str = ""


def send(root: Path, issue: str, list_path: Path, *, really: bool = False, environ: Mapping[str, str] | None = None,
         out: Callable[[str], None] | None = None, clock: Callable[[], float] = time.monotonic,
         sleep: Callable[[float], None] = time.sleep) -> int:
    """The command; returns the exit status (module docstring). Errors raise SendError or LocatedError."""
    environ = os.environ if environ is None else environ
    out = out or _print
    stem = issue_stem(root, issue)
    edition = read_edition(root, stem)
    settings = read_email_settings(root)
    recipients = read_list(list_path)
    smtp = smtp_settings(environ) if really else None
    for recipient in recipients.recipients:  # every link checked before the first message goes
        unsubscribe_link(settings, recipient, stem)
    log, shown = log_path(root, stem), f"{SENT_DIR}/{stem}.jsonl"
    out(f"issue {edition.number} ({stem}), {len(recipients.recipients)} address(es) in {list_path.as_posix()}")
    for problem in recipients.problems:
        out(str(problem))
    for duplicate in recipients.duplicates:
        out(duplicate)
    outcome = Outcome()
    if not really:
        sent = read_log(log)
        todo = {lang: 0 for lang in LANGS}
        for r in recipients.recipients:
            if r.key in sent:
                outcome.before += 1
                out(f"already sent  {r.lang:<4}  {r.email} ({shown}:{sent[r.key]})")
            else:
                todo[r.lang] += 1
                out(f"would send    {r.lang:<4}  {r.email}  {edition.subjects[r.lang]}")
        counts = ", ".join(f"{lang} {n}" for lang, n in todo.items())
        out(f"dry run: would send {sum(todo.values())} ({counts}), already sent before {outcome.before}, "
            f"{_skipped(recipients)}; nothing was sent. Add --send to send.")
        return 1 if recipients.problems else 0
    assert smtp is not None
    server = connect(smtp)
    try:
        send_log = SendLog(log)
    except BaseException:
        _quit(server)
        raise
    try:
        _send_all(server, send_log, edition, recipients, settings, smtp, outcome, out,
                  RateLimit(settings.per_minute, clock, sleep), shown)
    finally:
        send_log.close()
        if not outcome.stopped:
            _quit(server)
        else:
            server.close()
    failed = f"failed {len(outcome.failed)}" + (f" ({'; '.join(outcome.failed)})" if outcome.failed else "")
    out(f"sent {outcome.sent}, already sent before {outcome.before}, {_skipped(recipients)}, {failed}"
        + (" (not logged: run the same command again to retry them)" if outcome.failed else ""))
    if outcome.stopped:
        out(outcome.stopped)
    return 1 if recipients.problems or outcome.failed or outcome.stopped else 0


def _print(text: str) -> None:
    print(text, flush=True)  # each line as it happens, even into a pipe: the run may be stopped at any point


def _skipped(recipients: RecipientList) -> str:
    text = f"skipped {len(recipients.problems)}"
    kinds: dict[str, list[str]] = {}
    for problem in recipients.problems:
        kinds.setdefault(problem.kind, []).append(str(problem.line))
    if kinds:
        text += f" ({recipients.path.as_posix()}: " + "; ".join(
            f"{kind} on line{'s' if len(lines) > 1 else ''} {', '.join(lines)}" for kind, lines in kinds.items()) + ")"
    if recipients.duplicates:
        text += f", {len(recipients.duplicates)} duplicate line(s) sent once"
    return text


def _send_all(server: smtplib.SMTP, send_log: SendLog, edition: Edition, recipients: RecipientList,
              settings: EmailSettings, smtp: SmtpSettings, outcome: Outcome, out: Callable[[str], None],
              rate: RateLimit, shown: str) -> None:
    todo = []
    for r in recipients.recipients:
        if r.key in send_log.sent:
            outcome.before += 1
        else:
            todo.append(r)
    if outcome.before:
        out(f"{outcome.before} address(es) of the list are in {shown} already: not sent again")
    in_flight: Recipient | None = None  # handed to the server, its log line not written yet
    left = len(todo)
    try:
        for recipient in todo:
            rate.wait()
            message = build_message(edition, recipient, settings, smtp)
            in_flight, server.data_started = recipient, False
            try:
                server.send_message(message, from_addr=smtp.sender_address, to_addrs=[recipient.email])
            except smtplib.SMTPRecipientsRefused as exc:
                code, reply = exc.recipients.get(recipient.email, (0, b"refused"))
                in_flight = None
                if code == 421:  # the server is closing the session, for every address alike
                    outcome.stopped = _stop(outcome, smtp, shown, f"{code} {_text(reply)}", left, None)
                    return
                _failed(outcome, out, recipient, f"{code} {_text(reply)}")
                left -= 1
                continue
            except smtplib.SMTPResponseException as exc:  # the sender or the data refused for this message
                in_flight = None
                if exc.smtp_code == 421:
                    outcome.stopped = _stop(outcome, smtp, shown, f"{exc.smtp_code} {_text(exc.smtp_error)}", left,
                                            None)
                    return
                _failed(outcome, out, recipient, f"{exc.smtp_code} {_text(exc.smtp_error)}")
                left -= 1
                continue
            except smtplib.SMTPNotSupportedError as exc:
                in_flight = None
                _failed(outcome, out, recipient, str(exc))
                left -= 1
                continue
            except (OSError, smtplib.SMTPException) as exc:  # SMTPServerDisconnected, a timeout, a reset
                outcome.stopped = _stop(outcome, smtp, shown, str(exc) or type(exc).__name__, left,
                                        in_flight if getattr(server, "data_started", True) else None)
                return
            # accepted: the log line now, before anything else (the window of the module docstring)
            try:
                send_log.record(recipient, message["Message-ID"])
            except OSError as exc:
                outcome.sent += 1
                outcome.stopped = (f"stopped: the server accepted the message to {recipient.email} but {shown} "
                                   f"could not be written ({exc}): add the line {{\"email\": \"{recipient.email}\"}} "
                                   "to it once it can be written, or that address gets the issue again; then run the "
                                   f"same command again to send to the remaining {left - 1}")
                return
            in_flight = None
            outcome.sent += 1
            left -= 1
            out(f"sent          {recipient.lang:<4}  {recipient.email}")
    except KeyboardInterrupt:
        outcome.stopped = _stop(outcome, smtp, shown, "Ctrl-C", left,
                                in_flight if getattr(server, "data_started", True) else None,
                                stopped="interrupted")


def _failed(outcome: Outcome, out: Callable[[str], None], recipient: Recipient, reply: str) -> None:
    outcome.failed.append(f"{recipient.email}: {reply}")
    out(f"{recipient.email} (line {recipient.line}): the server refused it ({reply}); not logged, so the next run "
        "tries it again")


def _stop(outcome: Outcome, smtp: SmtpSettings, shown: str, why: str, left: int, in_flight: Recipient | None,
          stopped: str = "") -> str:
    flight = (f" The message to {in_flight.email} was on its way: if the server had taken it, that address gets "
              "the issue twice." if in_flight else "")
    what = stopped or f"the connection to {smtp.host}:{smtp.port} was lost"
    return (f"stopped: {what} ({why}) after {outcome.sent} message(s) sent in this run; {shown} has every address "
            f"sent to. Run the same command again to send to the remaining {left}: no logged address gets the "
            f"issue twice.{flight}")


def command(root: Path, issue: str, list_path: Path, really: bool) -> int:
    """``python -m newsletter send``: :func:`send`, its errors printed (LocatedError goes to __main__)."""
    try:
        return send(root, issue, list_path, really=really)
    except SendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
