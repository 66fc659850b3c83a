"""Sub-commands of the `kiosk` command line that are not owned by a bigger package."""
