"""SQLite under load: concurrent writers against a live ``faxline serve`` while task workers
drain the queue. No request may fail with "database is locked" (nor any 5xx), and no
worker may stop.

The clients write through the API as administrators and operators do (departments, user
accounts with generated passwords, Bulk Create uploads that the workers then run, port
request drafts, number stock imports, edits and locks), from several threads at once; a
second ``faxline worker`` process competes with serve's own for the tasks. Timing is not
measured here (``bench/`` does that): only that everything succeeded.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from liveinstall import Answer, Home, Serve, copy_home, environment

pytestmark = [pytest.mark.processes, pytest.mark.database_independent]

ROUNDS = 6
counter = itertools.count(1000)
lock = threading.Lock()


def unique() -> int:
    with lock:
        return next(counter)


def port_request(n: int) -> dict[str, object]:
    number = f"+1206234{n:04d}"
    return {
        "contact_first_name": "Carol",
        "contact_last_name": "Chief",
        "contact_email": "carol@acme.example",
        "contact_phone": "+1 206 555 0100",
        "numbers": [{"number": number, "line_type": "landline"}],
        "port_type": "full",
        "btn": number,
        "losing_carrier": "Old Telco",
        "account_number": f"ACCT-{n}",
        "business_name": "Acme Corp",
        "authorized_name": "Carol Chief",
        "authorized_title": "CEO",
        "street": "1313 Mockingbird Lane",
        "city": "Seattle",
        "state": "WA",
        "postal_code": "98101",
        "country": "US",
    }


class Load:
    """The clients' work, each step one request; every answer is kept."""

    def __init__(self, serve: Serve, home: Home) -> None:
        self.serve = serve
        self.admin = home.api_key("company_admin")
        self.operator = home.api_key("operator")
        self.answers: list[tuple[str, Answer]] = []
        self.bulk_jobs: list[int] = []
        self.users: list[int] = []
        self._lock = threading.Lock()

    def call(self, label: str, method: str, path: str, *, key: str, **kwargs: object) -> Answer:
        answer = self.serve.request(method, path, key=key, **kwargs)  # type: ignore[arg-type]
        with self._lock:
            self.answers.append((label, answer))
        return answer

    def departments(self) -> None:
        for _ in range(ROUNDS):
            self.call(
                "add department",
                "POST",
                "/api/v1/departments",
                key=self.admin,
                json_body={"name": f"Load {unique()}"},
            )

    def users_with_passwords(self) -> None:
        for _ in range(ROUNDS):
            n = unique()
            answer = self.call(
                "add user",
                "POST",
                "/api/v1/users",
                key=self.admin,
                json_body={
                    "first_name": "Lee",
                    "last_name": f"Load{n}",
                    "email": f"lee{n}@example.com",
                    "username": f"lee{n}",
                    "generate_password": True,
                },
            )
            if answer.status == 201:
                with self._lock:
                    self.users.append(answer.body["id"])

    def bulk_create(self) -> None:
        for _ in range(ROUNDS // 2):
            n = unique()
            rows = ["first_name,last_name,email,username"] + [
                f"Bo,Bulk{n}x{i},bo{n}x{i}@example.com,bo{n}x{i}" for i in range(10)
            ]
            answer = self.call(
                "bulk create",
                "POST",
                "/api/v1/users/bulk",
                key=self.admin,
                files={"file": ("users.csv", ("\n".join(rows) + "\n").encode())},
            )
            if answer.status == 202:
                with self._lock:
                    self.bulk_jobs.append(answer.body["id"])

    def port_requests(self) -> None:
        for _ in range(ROUNDS):
            self.call(
                "port request draft",
                "POST",
                "/api/v1/port-requests",
                key=self.admin,
                json_body=port_request(unique()),
            )

    def number_stock(self) -> None:
        for _ in range(ROUNDS // 2):
            n = unique()
            rows = ["number,carrier"] + [f"+1206{n:03d}{i:04d},Load Telco" for i in range(20)]
            self.call(
                "number stock",
                "POST",
                "/api/v1/numbers/stock",
                key=self.operator,
                files={"file": ("stock.csv", ("\n".join(rows) + "\n").encode())},
            )

    def edits(self) -> None:
        for round_ in range(ROUNDS * 2):
            with self._lock:
                users = list(self.users[-3:])
            if not users:
                time.sleep(0.3)
                continue
            for user in users:
                self.call(
                    "edit user",
                    "PATCH",
                    f"/api/v1/users/{user}",
                    key=self.admin,
                    json_body={"first_name": f"Lee{round_}"},
                )
                action = "lock" if round_ % 2 == 0 else "unlock"
                path = f"/api/v1/users/{user}/{action}"
                self.call(f"{action} user", "POST", path, key=self.admin)

    def wait_for_bulk_jobs(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        for job in self.bulk_jobs:
            while True:
                path = f"/api/v1/users/bulk/{job}"
                answer = self.call("bulk status", "GET", path, key=self.admin)
                if answer.status == 200 and answer.body["status"] == "done":
                    assert answer.body["created"] == 10, answer.body
                    break
                assert time.monotonic() < deadline, f"Bulk Create {job} not done: {answer.text}"
                time.sleep(0.5)


@pytest.fixture
def home(live_home: Home, tmp_path: Path) -> Home:
    return copy_home(live_home, tmp_path / "home")


def test_concurrent_writers_and_workers_on_sqlite_never_meet_a_locked_database(
    home: Home,
) -> None:
    with Serve(home) as serve:
        serve_worker = serve.worker_pid()
        second_log = home.path / "second-worker.log"
        with second_log.open("wb") as out:
            second_worker = subprocess.Popen(  # a second worker process competes for tasks
                [sys.executable, "-m", "faxline.cli", "worker", "--interval", "0.2"],
                env=environment(home.path),
                cwd=home.path,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            load = Load(serve, home)
            clients: list[Callable[[], None]] = [
                load.departments,
                load.users_with_passwords,
                load.bulk_create,
                load.port_requests,
                load.number_stock,
                load.edits,
                load.departments,
                load.port_requests,
            ]
            with ThreadPoolExecutor(max_workers=len(clients)) as pool:
                for done in [pool.submit(client) for client in clients]:
                    done.result()
            load.wait_for_bulk_jobs()
            assert second_worker.poll() is None, second_log.read_text()
        finally:
            second_worker.terminate()
            second_worker.wait(timeout=60)

        failed = [
            (label, answer.status, answer.text[:300])
            for label, answer in load.answers
            if answer.status >= 500 or "database is locked" in answer.text.lower()
        ]
        assert failed == []
        writes = [label for label, answer in load.answers if answer.status in (200, 201, 202)]
        assert len(writes) > 60
        # Every kind of write got through.
        for label in ("add department", "add user", "bulk create", "port request draft"):
            assert label in writes, label
        assert "number stock" in writes
        log = serve.log() + second_log.read_text()
        assert "database is locked" not in log
        assert "stopped after" not in log  # serve never had to restart a child
        assert serve.worker_pid() == serve_worker
        assert serve.stop() == 0
