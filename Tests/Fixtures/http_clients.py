#!/usr/bin/env python3
"""Clients that behave the way real ones do, for the HTTP hardening tests.

  http_clients.py PORT TOKEN CASE

Prints one line: the HTTP status the client got (or "no-answer: <reason>"), then exits 0.
"""
import http.client
import json
import socket
import sys
import urllib.error
import urllib.request

port, token, case = int(sys.argv[1]), sys.argv[2], sys.argv[3]
TIMEOUT = 90  # far above any limit the tests set, and above the stalls of a loaded 2-core machine running
#              every suite at once: reaching it means the client was left hanging


def status_line(sock):
    """The status code of the first response on a raw socket, or why there was none."""
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                return f"no-answer: closed after {len(data)} bytes"
            data += chunk
    except socket.timeout:
        return "no-answer: timed out"
    except ConnectionResetError:
        return "no-answer: reset"
    return data.split(b" ")[1].decode()


def raw(payload, then_wait=True):
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    sock.sendall(payload)
    return status_line(sock)


def python_upload(size):
    # http.client sends the whole body before reading the answer (as requests does).
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n").encode() \
        + b"x" * size + f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request("POST", "/upload", body=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
        return str(conn.getresponse().status)
    except Exception as error:  # noqa: BLE001 — the test prints what the client saw
        return f"no-answer: {type(error).__name__}"


def multipart(size):
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n").encode() \
        + b"x" * size + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"}


def status_and_error(status, body):
    """`413 <the JSON error message>`, or the status and why the body was not the JSON error."""
    try:
        answer = json.loads(body)
    except ValueError:
        return f"{status} not-json: {body[:80]!r}"
    if answer.get("ok") is not False or not isinstance(answer.get("error"), str):
        return f"{status} not-an-error: {body[:80]!r}"
    return f"{status} {answer['error']}"


def urllib_post(path, body, headers):
    # urllib.request sends no Expect: 100-continue, says Connection: close, and reads nothing
    # before the whole body is sent.
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return status_and_error(response.status, response.read())
    except urllib.error.HTTPError as error:
        return status_and_error(error.code, error.read())
    except Exception as error:  # noqa: BLE001 — the test prints what the client saw
        return f"no-answer: {type(error).__name__}"


def urllib_upload(size, authorized=True):
    body, headers = multipart(size)
    if not authorized:
        del headers["Authorization"]
    return urllib_post("/upload", body, headers)


def urllib_json(size):
    body = b'{"action": "a", "resource": "' + b"r" * size + b'"}'
    return urllib_post("/kafka/test/audit", body, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})


def http_client_upload(size):
    body, headers = multipart(size)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request("POST", "/upload", body=body, headers=headers)
        response = conn.getresponse()
        return status_and_error(response.status, response.read())
    except Exception as error:  # noqa: BLE001
        return f"no-answer: {type(error).__name__}"


def python_json(size):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    body = b'{"action": "a", "resource": "' + b"r" * size + b'"}'
    try:
        conn.request("POST", "/kafka/test/audit", body=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        return str(conn.getresponse().status)
    except Exception as error:  # noqa: BLE001
        return f"no-answer: {type(error).__name__}"


def expect_continue_upload(size):
    """Headers with Expect: 100-continue (as curl sends for bodies over 1 MiB), then waits for an
    answer without sending the body: a refusal must come without it."""
    head = (f"POST /upload HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: multipart/form-data; boundary=b0undary\r\nContent-Length: {size}\r\n"
            "Expect: 100-continue\r\n\r\n").encode()
    return raw(head)


def too_many_connections():
    """Holds two connections open, then asks on a third; prints the third's status."""
    held = [socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) for _ in range(2)]
    for sock in held:
        sock.sendall(b"GET /kafka/status HTTP/1.1\r\nHost: t\r\n\r\n")
        status_line(sock)
    answer = raw(b"GET /kafka/status HTTP/1.1\r\nHost: t\r\n\r\n")
    for sock in held:
        sock.close()
    return answer


cases = {
    "python-upload-oversize": lambda: python_upload(3 * 1024 * 1024),
    # Far larger than the socket buffers of both ends, so only a server that reads the body lets these finish.
    "urllib-upload-24mib": lambda: urllib_upload(24 * 1024 * 1024),
    "http-client-upload-24mib": lambda: http_client_upload(24 * 1024 * 1024),
    "urllib-upload-24mib-without-token": lambda: urllib_upload(24 * 1024 * 1024, authorized=False),
    "urllib-json-24mib": lambda: urllib_json(24 * 1024 * 1024),
    "expect-continue-upload-24mib": lambda: expect_continue_upload(24 * 1024 * 1024),
    "python-json-oversize": lambda: python_json(2 * 1024 * 1024),
    "slow-headers": lambda: raw(b"POST /kafka/test/audit HTTP/1.1\r\nHost: t\r\nX-Slow: "),
    "stalled-body": lambda: raw(b"POST /kafka/test/audit HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + token.encode()
                                + b"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"action\""),
    "huge-header": lambda: raw(b"GET /kafka/status HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n"),
    "too-many-connections": too_many_connections,
}
print(cases[case]())
