"""Tag codes, QR rendering and print layouts."""
