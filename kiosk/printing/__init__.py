"""Printing in the kiosk: the print journal, resident messages, and the print service that joins
the certificate renderer, the printers and the journal (see `service.PrintService`)."""
