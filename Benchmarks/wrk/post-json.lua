-- wrk: POST the seed's audit body with a Bearer token (TOKEN from the environment).
wrk.method = "POST"
wrk.body = '{"action": "test_action", "resource": "document", "resourceId": 123, "details": {"note": "Testing Kafka audit"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "")
