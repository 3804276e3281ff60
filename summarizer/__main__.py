"""`python -m summarizer`: the same command as `ko-brief`."""
from summarizer.cli import main

raise SystemExit(main())
