-- wrk: GET with a Bearer token when TOKEN is set (public routes ignore it).
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "")
