"""Names of the background jobs, so the indexer can enqueue them without importing workers."""

THANK_YOU_JOB = "workers.notifications.tasks.send_thank_you"
ROUND_THANK_YOU_JOB = "workers.notifications.tasks.send_round_thank_you"
