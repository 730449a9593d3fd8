"""The daily brief: the insight pool, personalised ranking, composition, feedback."""
