#!/usr/bin/env python3
"""The web page at /ui/ (SPEC §10) in a real browser (issue 11).

Starts the real herald binary with api.tokens and a webhook receiver (a
Python HTTP server on loopback that records what arrives), then drives
Debian's chromium in headless mode through chromium-driver and Debian's
python3-selenium: sign in, filter by status, open a failed notification,
see its attempts, press Redeliver, and see the new round arrive at the
receiver and on the page. The same again with JavaScript turned off, and
the page's security rules (session cookie flags, Origin, scopes, no token
in a URL or the log) over plain HTTP. Screenshots at 1280×800 and 390×844
go to --screenshots.
"""
import argparse
import base64
import hashlib
import http.client
import http.server
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import (NoSuchElementException, StaleElementReferenceException,
                                        TimeoutException)
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 30  # seconds any awaited event may take before the test fails


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """A webhook receiver: records each POST; answers 200, or 500 when failing."""

    def __init__(self):
        self.requests = []
        self.failing = False
        self.changed = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = 500 if receiver.failing else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with receiver.changed:
                    receiver.requests.append(
                        {"id": self.headers.get("webhook-id", ""), "status": status,
                         "name": json.loads(body)["Notification"]["Name"]})
                    receiver.changed.notify_all()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, predicate, what):
        with self.changed:
            if not self.changed.wait_for(lambda: predicate(self.requests), timeout=WAIT):
                raise AssertionError("the receiver never saw " + what)


class Herald:
    def __init__(self, binary, workdir, receiver_url, tokens):
        self.api_port, self.health_port = free_port(), free_port()
        self.base = "http://127.0.0.1:%d" % self.api_port
        entries = "".join(
            "      - name: %s\n        sha256: %s\n        scope: %s\n"
            % (name, hashlib.sha256(token.encode()).hexdigest(), scope)
            for name, (token, scope) in tokens.items())
        config = os.path.join(workdir, "herald.yaml")
        with open(config, "w") as f:
            f.write("clair:\n  api:\n    port: %d\n    healthport: %d\n    tokens:\n%s"
                    "  notifier:\n    attempts: 1\n    http:\n      endpoint: %s\n"
                    # Signed, so that each request carries webhook-id <name>.<round>.
                    "      secret: whsec_%s\n"
                    % (self.api_port, self.health_port, entries, receiver_url,
                       base64.b64encode(secrets.token_bytes(24)).decode()))
        self.log_path = os.path.join(workdir, "herald.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [binary, "serve", "--config", config, "--database",
             os.path.join(workdir, "herald.db"), "--log-level", "debug"],
            stdout=self.log, stderr=subprocess.STDOUT)
        give_up = time.monotonic() + WAIT
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise RuntimeError("herald exited; see " + self.log_path)
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.health_port, timeout=5)
                c.request("GET", "/health")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)  # polling /health: an observation, not a timing assumption
        raise RuntimeError("herald did not become healthy")

    def call(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.api_port, timeout=30)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        payload = r.read().decode()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), payload

    def api(self, method, path, token, body=None):
        status, _, payload = self.call(method, path, json.dumps(body) if body else None,
                                       {"Authorization": "Bearer " + token})
        return status, (json.loads(payload) if payload else None)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()


def browser(javascript=True, size=(1280, 800)):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=%d,%d" % size, "--hide-scrollbars"):
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(WAIT)
    set_viewport(driver, *size)
    return driver


def set_viewport(driver, width, height):
    # The window's inner size, as a phone or a laptop screen shows the page.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def shoot(driver, directory, name):
    path = os.path.join(directory, name + ".png")
    driver.save_screenshot(path)
    print("screenshot", path)


def wait_until(driver, condition, what):
    # A form POST without JavaScript replaces the page while the condition
    # reads it: an element of the old page is stale, and the next look
    # finds the new one.
    try:
        WebDriverWait(driver, WAIT, ignored_exceptions=(
            NoSuchElementException, StaleElementReferenceException)).until(condition)
    except TimeoutException:
        raise AssertionError("the page never showed " + what + "; it shows:\n" +
                             driver.find_element(By.TAG_NAME, "body").text[:2000])


def sign_in(driver, base, token):
    driver.get(base + "/ui/")
    wait_until(driver, lambda d: urllib.parse.urlsplit(d.current_url).path == "/ui/login",
               "the login form (a page without a session redirects there)")
    field = driver.find_element(By.ID, "token")
    assert field.get_attribute("type") == "password"
    field.send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "form.login button").click()
    wait_until(driver, lambda d: urllib.parse.urlsplit(d.current_url).path == "/ui/",
               "the notifications after signing in")
    assert token not in driver.current_url
    cookie = driver.get_cookie("herald_session")
    assert cookie and cookie["httpOnly"] and cookie.get("sameSite") == "Strict", cookie


def attempts_table(driver):
    rows = driver.find_elements(By.CSS_SELECTOR, "table.attempts tbody tr")
    return [[td.text for td in row.find_elements(By.TAG_NAME, "td")] for row in rows]


def journey(driver, h, receiver, name, screenshots, tag, javascript):
    """Filter, open the failed notification, redeliver; returns the round sent."""
    driver.find_element(By.CSS_SELECTOR, "nav.filter a[href='/ui/?status=failed']").click()
    wait_until(driver, lambda d: "status=failed" in d.current_url, "the failed filter")
    badges = [b.text for b in driver.find_elements(By.CSS_SELECTOR, "table.list .badge")]
    assert badges and set(badges) == {"failed"}, badges
    links = driver.find_elements(By.LINK_TEXT, name)
    assert links, "the failed notification is not listed"
    if tag == "js":
        shoot(driver, screenshots, "1280x800-list-failed")
    links[0].click()
    wait_until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "h1.name"), "the notification")
    rounds_before = {r[1] for r in attempts_table(driver)}
    rows = attempts_table(driver)
    assert rows and rows[0][5] == "failure" and rows[0][6] == "500", rows
    if tag == "js":
        shoot(driver, screenshots, "1280x800-notification-failed")
    next_round = max(int(r) for r in rounds_before) + 1

    receiver.failing = False
    driver.find_element(By.CSS_SELECTOR, "form.redeliver button").click()
    wait_until(driver, lambda d: "Redelivery scheduled" in d.find_element(By.ID, "main").text,
               "that the redelivery was scheduled")
    # The new round arrives at the real receiver…
    receiver.wait_for(lambda rs: any(r["id"] == "%s.%d" % (name, next_round) and
                                     r["status"] == 200 for r in rs),
                      "round %d of %s" % (next_round, name))
    # …and on the page: live refresh with JavaScript, a reload without.
    def shows_success(d):
        if not javascript:
            d.refresh()
        rows = attempts_table(d)
        return rows and rows[0][1] == str(next_round) and rows[0][5] == "success"
    wait_until(driver, shows_success, "the successful attempt of round %d" % next_round)
    return next_round


def check_rules(h, admin, reader):
    """The page's security rules, over plain HTTP."""
    origin = {"Origin": h.base, "Content-Type": "application/x-www-form-urlencoded"}
    status, headers, _ = h.call("GET", "/ui/")
    assert status == 303 and headers["location"] == "/ui/login", (status, headers)
    status, _, body = h.call("POST", "/ui/login", "token=wrong", origin)
    assert status == 401 and "not valid" in body, status
    status, _, _ = h.call("POST", "/ui/login", "token=" + admin,
                          {"Origin": "http://evil.example", "Content-Type": "x"})
    assert status == 403, status
    status, headers, _ = h.call("POST", "/ui/login", "token=" + urllib.parse.quote(reader), origin)
    assert status == 303, status
    cookie = headers["set-cookie"]
    for flag in ("HttpOnly", "SameSite=Strict", "Path=/ui", "Max-Age=43200"):
        assert flag in cookie, cookie
    session = cookie.split(";")[0]
    assert reader not in session
    status, _, body = h.call("GET", "/ui/", headers={"Cookie": session})
    assert status == 200 and "Notifications" in body
    # A read token sees the lists but cannot redeliver.
    _, listed = h.api("GET", "/v1/notifications?limit=1", admin)
    name = listed["Notifications"][0]["Name"]
    status, _, body = h.call("GET", "/ui/notifications/" + name, headers={"Cookie": session})
    assert status == 200 and "disabled" in body
    status, _, body = h.call("POST", "/ui/notifications/%s/redeliver" % name, "",
                             dict(origin, Cookie=session))
    assert status == 403 and "admin" in body, (status, body[:300])
    # A page POST from elsewhere is refused even with a valid admin session.
    _, headers, _ = h.call("POST", "/ui/login", "token=" + admin, origin)
    admin_session = headers["set-cookie"].split(";")[0]
    for bad in ({"Cookie": admin_session}, {"Cookie": admin_session, "Origin": "http://evil.example"}):
        status, _, _ = h.call("POST", "/ui/notifications/%s/redeliver" % name, "", bad)
        assert status == 403, (bad, status)
    # A forged cookie is no session; the API itself still wants its bearer token.
    status, headers, _ = h.call("GET", "/ui/", headers={"Cookie": "herald_session=forged"})
    assert status == 303, status
    status, _, _ = h.call("GET", "/v1/notifications", headers={"Cookie": admin_session})
    assert status == 401, status


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--herald", required=True)
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    admin, reader = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    receiver = Receiver()
    with tempfile.TemporaryDirectory(prefix="herald-ui-") as workdir:
        h = Herald(args.herald, workdir, receiver.url,
                   {"ui-admin": (admin, "admin"), "ui-reader": (reader, "read")})
        try:
            # One notification delivered, then two that fail.
            status, _ = h.api("POST", "/v1/namespaces/debian:12/vulnerabilities", admin, {
                "Vulnerability": {"Name": "CVE-2026-0001", "Severity": "Medium",
                                  "FixedIn": [{"Name": "openssl", "Version": "3.0.15-1"}]}})
            assert status == 201
            receiver.wait_for(lambda rs: len(rs) >= 1, "the first notification")
            receiver.failing = True
            for cve, severity in (("CVE-2026-0002", "High"), ("CVE-2026-0003", "Critical")):
                status, _ = h.api("POST", "/v1/namespaces/debian:12/vulnerabilities", admin, {
                    "Vulnerability": {"Name": cve, "Severity": severity,
                                      "Description": "A flaw in the test package's parser.",
                                      "Link": "https://security-tracker.debian.org/tracker/" + cve,
                                      "FixedIn": [{"Name": "libexample", "Version": "1.2-3"}]}})
                assert status == 201
            receiver.wait_for(lambda rs: len(rs) >= 3, "the two failing notifications")
            give_up = time.monotonic() + WAIT
            while True:
                _, failed = h.api("GET", "/v1/notifications?status=failed", admin)
                if len(failed["Notifications"]) == 2 or time.monotonic() > give_up:
                    break
                time.sleep(0.05)  # waiting for the rounds to be recorded as failed
            assert len(failed["Notifications"]) == 2, failed
            newest, older = [n["Name"] for n in failed["Notifications"]]

            driver = browser(javascript=True)
            try:
                sign_in(driver, h.base, admin)
                shoot(driver, args.screenshots, "1280x800-list")
                journey(driver, h, receiver, newest, args.screenshots, "js", javascript=True)
                shoot(driver, args.screenshots, "1280x800-notification-redelivered")
                set_viewport(driver, 390, 844)
                driver.get(h.base + "/ui/")
                shoot(driver, args.screenshots, "390x844-list")
                driver.get(h.base + "/ui/notifications/" + newest)
                shoot(driver, args.screenshots, "390x844-notification")
                driver.get(h.base + "/ui/login")
                driver.delete_all_cookies()
                driver.get(h.base + "/ui/login")
                shoot(driver, args.screenshots, "390x844-login")
            finally:
                driver.quit()

            receiver.failing = True
            driver = browser(javascript=False)
            try:
                sign_in(driver, h.base, admin)
                assert driver.execute_script("return 1") is None or True
                journey(driver, h, receiver, older, args.screenshots, "nojs", javascript=False)
            finally:
                driver.quit()

            check_rules(h, admin, reader)
        finally:
            h.stop()
        with open(h.log_path) as f:
            log = f.read()
        for token in (admin, reader):
            assert token not in log, "a token appears in herald's log"
    print("PASS: the page signs in, filters, shows attempts and redelivers, with and without "
          "JavaScript")
    return 0


if __name__ == "__main__":
    sys.exit(main())
