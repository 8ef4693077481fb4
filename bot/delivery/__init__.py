"""Daily delivery: due times, fair selection, exactly-once claims and the sending engine."""
