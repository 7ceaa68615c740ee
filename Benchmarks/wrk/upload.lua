-- wrk: POST /upload with a 1 KiB text file as multipart/form-data (TOKEN from the environment).
local boundary = "pakabenchboundary"
wrk.method = "POST"
wrk.body = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.txt\"\r\n"
  .. "Content-Type: text/plain\r\n\r\n" .. string.rep("benchmark text ", 68) .. "\r\n--" .. boundary .. "--\r\n"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "")
