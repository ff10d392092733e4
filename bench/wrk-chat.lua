-- wrk script for bench/gateway-load.sh: POSTs one small chat completion request.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"default","messages":[{"role":"user","content":"Summarise the plot of Hamlet in one line."}]}'

local non200 = 0
response = function(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end
