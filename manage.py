#!/usr/bin/env python
from lianmeng.cli import main

if __name__ == "__main__":
    main()
