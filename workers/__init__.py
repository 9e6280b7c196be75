"""RQ jobs on Redis: notifications now; carbon offsets, ML scoring and keeper runs later."""
