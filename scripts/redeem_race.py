"""Fault test: N tills redeem the same coupon over HTTP at the same instant.

Seeds the demo, claims one coupon the way a phone does (scan, tap "Get coupon"), starts
`qrshop serve`, then releases N threads at once, each POSTing /api/v1/redemptions with an
associate's token. Exactly one must get 201; every other one 409 already_redeemed. Prints
the counts; exits 1 otherwise. SQLite by default, or --database-url. Loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
from collections import Counter

from load_scans import BIN, PHONE, free_port, kill_server, start_server


def qrshop(env: dict, *args: str, stdin: str | None = None) -> str:
    """Run a qrshop command and return its standard output."""
    return subprocess.run([str(BIN / "qrshop"), *args], env=env, input=stdin, text=True,
                          capture_output=True, check=True).stdout


def claim_coupon(port: int, code: str) -> str:
    """Scan a tag like a phone, tap "Get coupon", and return the coupon code shown."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", f"/t/{code}", headers={"User-Agent": PHONE})
    response = connection.getresponse()
    html = response.read().decode()
    cookies = "; ".join(value.split(";")[0] for name, value in response.getheaders()
                        if name.lower() == "set-cookie")
    form = re.search(rf'<form method="post" action="/t/{code}/coupon">(.*?)</form>', html, re.S)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(1)))
    body = "&".join(f"{name}={value}" for name, value in fields.items())
    connection.request("POST", f"/t/{code}/coupon", body=body, headers={
        "User-Agent": PHONE, "Cookie": cookies,
        "Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    location = response.getheader("Location")
    connection.request("GET", location, headers={"User-Agent": PHONE, "Cookie": cookies})
    page = connection.getresponse().read().decode()
    return re.search(r'data-coupon-code="([A-Z0-9-]+)"', page).group(1)


def main(argv: list[str] | None = None) -> int:
    """Run the race; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tills", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)

    workdir = tempfile.mkdtemp(prefix="qrshop-race-")
    port = free_port()
    env = {**os.environ,
           "QRSHOP_DATABASE_URL": args.database_url or f"sqlite:///{workdir}/race.sqlite3",
           "QRSHOP_INSTANCE_PATH": workdir, "QRSHOP_SECRET_KEY": secrets.token_urlsafe(32),
           "QRSHOP_BASE_URL": f"http://127.0.0.1:{port}",
           "QRSHOP_VENDOR_CONTENT_DIR": f"{workdir}/content"}
    qrshop(env, "demo", "--no-serve")
    email = f"till-{secrets.token_hex(4)}@race.test"
    qrshop(env, "users", "add", email, "--role", "associate", "--retailer", "fashiontown",
           "--store", "ATL01", "--password-stdin", stdin=secrets.token_urlsafe(16) + "\n")
    token = qrshop(env, "tokens", "create", email, "--name", "race").strip().splitlines()[-1]
    tag_code = qrshop(env, "tags", "list", "--store", "ATL01", "--format", "csv") \
        .splitlines()[1].split(",")[0]

    server = start_server(env, port, args.workers)
    try:
        coupon = claim_coupon(port, tag_code)
        start = threading.Barrier(args.tills)
        statuses: Counter = Counter()
        lock = threading.Lock()
        body = json.dumps({"code": coupon, "store": "ATL01", "sale_amount_cents": 4999})

        def till():
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.connect()
            start.wait()
            try:
                connection.request("POST", "/api/v1/redemptions", body=body, headers={
                    "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                response = connection.getresponse()
                answer = json.loads(response.read() or b"{}")
                key = f"{response.status} {answer.get('error', '')}".strip()
            except (OSError, http.client.HTTPException) as error:
                key = type(error).__name__
            with lock:
                statuses[key] += 1

        threads = [threading.Thread(target=till) for _ in range(args.tills)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        kill_server(server, signal.SIGTERM)

    backend = env["QRSHOP_DATABASE_URL"].split(":", 1)[0]
    print(f"{args.tills} tills redeeming coupon {coupon} at once ({backend}, "
          f"{args.workers} gunicorn workers):")
    for key, count in sorted(statuses.items()):
        print(f"  {key:<28} {count}")
    ok = statuses.get("201", 0) == 1 and statuses.get("409 already_redeemed", 0) == args.tills - 1
    print("RESULT: " + ("PASS" if ok else "FAIL: expected exactly one 201 and the rest 409"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
