-- wrk script of bench/scim-serve: SCIM reads against a directory of users named user1..userN.
-- Environment: BENCH_MODE (filter: GET PATH?filter=userName eq "user<random>"; page:
-- GET PATH?startIndex=<random>&count=1000), BENCH_PATH (the /Users endpoint's path),
-- BENCH_USERS (N), BENCH_TOKEN (bearer token). At the end it prints one line
-- `BENCH_JSON {...}` with the request count, the duration, the errors and the latency
-- percentiles (microseconds) of all threads together.
local mode = os.getenv("BENCH_MODE") or "filter"
local path = os.getenv("BENCH_PATH") or "/scim/v2/Users"
local users = tonumber(os.getenv("BENCH_USERS") or "1000")
local page = 1000

wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
wrk.headers["Accept"] = "application/scim+json"

local counter = 0
function setup(thread)
    counter = counter + 1
    thread:set("seed", counter)
end

function init(args)
    math.randomseed(os.time() * 1000 + (seed or 0))
end

function request()
    if mode == "page" then
        local start = math.random(1, math.max(1, users - page + 1))
        return wrk.format("GET", path .. "?startIndex=" .. start .. "&count=" .. page)
    end
    local user = math.random(1, users)
    return wrk.format("GET", path .. "?filter=userName%20eq%20%22user" .. user .. "%22")
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
        '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
        '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
        summary.requests, summary.duration, summary.bytes,
        e.connect, e.read, e.write, e.status, e.timeout,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
