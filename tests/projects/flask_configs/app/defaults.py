DEFAULT_KEY = "not-a-real-secret"
