"""The Lua scripts: each runs atomically in Redis, on Redis's clock (`TIME`), so every
instance sees one bucket and one clock."""

from __future__ import annotations

#: Per-user token bucket. KEYS[1]: the user's hash; ARGV: rate (tokens/s), burst,
#: idle seconds after which the key expires. Returns {allowed, notify}: notify is 1 once
#: per burst of refusals (the bucket must be half full again to re-arm it).
USER_BUCKET = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'updated', 'notified')
local tokens = tonumber(b[1]) or burst
local updated = tonumber(b[2]) or now
local notified = b[3] == '1'
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
local allowed, notify = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
  if tokens >= burst / 2 then notified = false end
else
  if not notified then notify = 1 end
  notified = true
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now),
           'notified', notified and '1' or '0')
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return {allowed, notify}
"""

#: The bot's send slots (GCRA). KEYS[1]: the next free slot, KEYS[2]: paused until (both
#: microseconds of Redis time); ARGV: interval (µs), burst. Returns {paused, wait_us}:
#: paused 1 means wait `wait_us` and ask again; paused 0 means a slot is reserved,
#: starting in `wait_us` (0 or less: now).
SEND_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < paused then return {1, paused - now} end
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(nxt, now - (burst - 1) * interval)
redis.call('SET', KEYS[1], string.format('%d', math.floor(slot + interval)), 'PX', 60000)
return {0, slot - now}
"""

#: Hold every sender back until ARGV[1] seconds from now (Redis time), unless a longer
#: pause is already set. KEYS[1]: paused until (µs).
PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untill = now + math.floor(tonumber(ARGV[1]) * 1000000)
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untill > current then
  redis.call('SET', KEYS[1], string.format('%d', untill), 'PX',
             math.floor(tonumber(ARGV[1]) * 1000) + 1000)
  return 1
end
return 0
"""

#: Is a pause in force? KEYS[1]: paused until (µs). Returns the µs left (0: none).
PAUSED = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
if paused > now then return paused - now end
return 0
"""

#: Let a send start unless a pause is in force or `size` sends still count (see
#: `bot.broadcast.ratelimit`). KEYS[1]: the counting sends (sorted set: ticket -> counts
#: until, µs), KEYS[2]: paused until; ARGV: size, hold (µs: how long a send counts
#: until its answer is recorded), ticket. Returns {state, wait_us}: state 0 means let
#: through, 1 paused, 2 the window is full (wait_us: until the oldest stops counting).
ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < paused then return {1, paused - now} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local hold = tonumber(ARGV[2])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + hold, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.floor(hold / 1000) + 1000)
  return {0, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {2, math.floor(tonumber(oldest[2]) - now)}
"""

#: The send ARGV[1] has its answer: it counts for one more second. KEYS[1]: as ADMIT's.
RELEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZADD', KEYS[1], 'XX', now + 1000000, ARGV[1])
return 0
"""
