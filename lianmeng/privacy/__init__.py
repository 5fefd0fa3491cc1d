"""Personal data (PIPL): the registry of personal fields, a person's download, erasure on request."""
