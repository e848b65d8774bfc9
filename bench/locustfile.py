"""50 people of mixed roles using the portal at once, for `make loadtest` (bench/loadtest.py
starts the server and hands this file the signed-in sessions; see there).

Each simulated person is a real account of the `seed_scale` tenant, signed in, and behaves as
their role does, with 0.5 to 1.5 s of thinking between two clicks:

- leadership read the progress page, the home page, tables and their actions;
- coordinators open their home, their work, their table and its actions, post notes on the
  table's actions and read the table's calendar feed (as a calendar app, with its ETag);
- partner staff open their home and their work, read tables and post notes on their
  organization's actions;
- tenant admins read across the plan.
"""

from __future__ import annotations

import json
import os
import random
import secrets
from itertools import count

from locust import HttpUser, between, task

PEOPLE = json.loads(open(os.environ["LOADTEST_PEOPLE"]).read())  # noqa: SIM115
TENANT = os.environ.get("LOADTEST_TENANT", "scale")
SESSION_COOKIE = os.environ.get("LOADTEST_SESSION_COOKIE", "__Host-sessionid")
CSRF_COOKIE = os.environ.get("LOADTEST_CSRF_COOKIE", "__Host-csrftoken")
_next = count()


class Person(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.me = PEOPLE[next(_next) % len(PEOPLE)]
        # The session's cookies are sent by hand: they are `__Host-` (Secure) cookies, which a
        # cookie jar keeps for HTTPS only, and the load test speaks HTTP to loopback.
        csrf = secrets.token_hex(16)  # an unmasked 32-character CSRF secret
        self.headers = {
            "Cookie": f"{SESSION_COOKIE}={self.me['session']}; {CSRF_COOKIE}={csrf}",
            "X-CSRFToken": csrf,
        }
        self.feed_etag = None

    def get(self, path: str, name: str, **kwargs):
        return self.client.get(f"/{TENANT}{path}", headers=self.headers, name=name, **kwargs)

    def table(self) -> str:
        return random.choice(self.me["tables"])  # noqa: S311 -- a simulation, not a secret

    @task(3)
    def home(self) -> None:
        self.get("/", "home")

    @task(2)
    def my_work(self) -> None:
        if self.me["role"] != "leadership":
            self.get("/my-work/", "my work")

    @task(2)
    def progress(self) -> None:
        if self.me["role"] in ("leadership", "admin"):
            self.get("/progress/", "progress")

    @task(1)
    def table_list(self) -> None:
        self.get("/tables/", "table list")

    @task(2)
    def table_page(self) -> None:
        self.get(f"/tables/{self.table()}/", "table page")

    @task(2)
    def action_list(self) -> None:
        status = random.choice(["", "", "done", "blocked", "all"])  # noqa: S311
        query = f"?status={status}" if status else ""
        self.get(f"/tables/{self.table()}/actions/{query}", "action list")

    @task(1)
    def feed(self) -> None:
        if self.me["role"] != "coordinator":
            return
        headers = dict(self.headers)
        if self.feed_etag:
            headers["If-None-Match"] = self.feed_etag
        path = f"/{TENANT}/tables/{self.me['tables'][0]}/meetings.ics"
        with self.client.get(
            path, headers=headers, name="calendar feed", catch_response=True
        ) as response:
            if response.status_code in (200, 304):
                self.feed_etag = response.headers.get("ETag", self.feed_etag)
                response.success()
            else:
                response.failure(f"feed answered {response.status_code}")

    @task(2)
    def note_on_an_action(self) -> None:
        if not self.me["actions"]:
            return
        table, pk = random.choice(self.me["actions"])  # noqa: S311
        self.get(f"/tables/{table}/actions/{pk}/", "action page")
        self.client.post(
            f"/{TENANT}/tables/{table}/actions/{pk}/update/",
            data={"text": "Met the partners this week; next step agreed.", "status": ""},
            headers={**self.headers, "HX-Request": "true"},
            name="post an update",
        )
