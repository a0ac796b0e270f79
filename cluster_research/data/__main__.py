"""``python -m cluster_research.data``: verify the manifest and rebuild data/processed/."""

from .processed import main

raise SystemExit(main())
