"""Central flow updates: TUF-signed flow bundles, staged rollout, activation between sessions.

Workflow (docs/adr/0160-0165):

- Admin side (`kiosk admin`, :mod:`kiosk.updates.admin` over :mod:`kiosk.updates.repository`):
  ``init`` creates a TUF repository (python-tuf Metadata API, Ed25519 keys kept in a separate key
  folder), ``build`` packs a flows folder into a deterministic ``.tar.gz`` with a ``bundle.json``
  manifest (:mod:`kiosk.updates.bundle`), ``publish`` adds it as a TUF target and points audience
  channels (all terminals, a group, one terminal) at it, ``rollback`` republishes old content
  under a new, higher version, ``rotate-key`` and ``refresh-timestamp`` keep the repository alive.
- Terminal side (:class:`kiosk.updates.terminal.BundleUpdater`, `kiosk updates ...`): python-tuf's
  ngclient verifies metadata from the root shipped with the app, the bundle is downloaded,
  verified, unpacked safely into a new slot, activated only when no resident is in session,
  checked, and rolled back by itself when the check fails.
"""
