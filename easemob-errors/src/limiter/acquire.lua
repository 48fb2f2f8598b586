-- One send slot of an app key's shared GCRA, taken atomically (EVALSHA: one round trip).
-- KEYS[1]: the key's hash: `tat` (the theoretical arrival time of the next send) and
--   `rate` (sends per second, lowered by adapt.lua); times are µs on Redis's clock, so
--   the processes' clocks never have to agree.
-- ARGV[1]: the most sends per second; ARGV[2]: the burst; ARGV[3]: the longest wait
--   allowed, µs; ARGV[4]: how far ahead slots are already taken elsewhere, µs (a
--   process's local queue when it comes back from its fallback; 0 otherwise).
-- Returns {1 if the slot is taken (0: refused, nothing taken), the wait until it in µs,
--   the key's rate as a string}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local state = redis.call('HMGET', KEYS[1], 'tat', 'rate')
local rate = math.min(tonumber(state[2]) or tonumber(ARGV[1]), tonumber(ARGV[1]))
local tat = tonumber(state[1]) or now
local held = now + tonumber(ARGV[4])
if held > tat then
  tat = held
  redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', tat))
end
local interval = 1000000 / rate
local at = math.max(now, tat - interval * (tonumber(ARGV[2]) - 1))
local wait = at - now
if wait > tonumber(ARGV[3]) then
  return {0, math.floor(wait), tostring(rate)}
end
tat = math.max(tat, at) + interval
redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', tat), 'rate', tostring(rate))
-- Forget a quiet key after a minute (its next slot is free by then anyway).
redis.call('PEXPIRE', KEYS[1], math.ceil((tat - now) / 1000) + 60000)
return {1, math.floor(wait), tostring(rate)}
