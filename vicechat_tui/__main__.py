"""`python -m vicechat_tui` runs the same entry point as the `vicechat` command."""

from vicechat_tui.cli.main import main

raise SystemExit(main())
