"""What several instances share through Redis (`REDIS_URL`): per-user flood limits, the
bot's global send rate, news of a new knowledge-base version and of rows other instances
changed (`channel.follow` listens on a channel). (FSM state and event
isolation use aiogram's own `RedisStorage` and `RedisEventIsolation`.) Without Redis
each of these is kept in the process, which is right for one instance.
"""
