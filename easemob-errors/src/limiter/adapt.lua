-- How an answer went, for an app key's shared rate (the local limiter's rule, kept in
-- Redis so that every process paces at the same rate).
-- KEYS[1]: the key's hash (see acquire.lua); `decreased` is when the rate was last
--   lowered, µs on Redis's clock.
-- ARGV[1]: the most sends per second; ARGV[2]: the least; ARGV[3]: the factor on a
--   throttling answer; ARGV[4]: the factor on any other; ARGV[5]: the cooldown, µs;
--   ARGV[6]: 1 for a throttling answer, 0 for any other.
-- Returns the key's rate as a string.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local max_rate = tonumber(ARGV[1])
local state = redis.call('HMGET', KEYS[1], 'rate', 'decreased')
local rate = tonumber(state[1]) or max_rate
local decreased = tonumber(state[2])
local cooled = decreased == nil or now - decreased >= tonumber(ARGV[5])
if cooled and ARGV[6] == '1' then
  rate = math.max(rate * tonumber(ARGV[3]), tonumber(ARGV[2]))
  redis.call('HSET', KEYS[1], 'rate', tostring(rate), 'decreased', string.format('%.0f', now))
elseif cooled and rate < max_rate then
  rate = math.min(rate * tonumber(ARGV[4]), max_rate)
  redis.call('HSET', KEYS[1], 'rate', tostring(rate))
end
if redis.call('PTTL', KEYS[1]) < 60000 then
  redis.call('PEXPIRE', KEYS[1], 60000)
end
return tostring(rate)
