"""The staff area shell: navigation and dashboard that the domains fill."""
