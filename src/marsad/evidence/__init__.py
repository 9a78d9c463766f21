"""Evidence: stored files with their hashes and trusted timestamps, the hash-chained custody
log, testimony and the encryption of witnesses' identities. Pure domain code, no store I/O;
the operations are in `marsad.services.evidence` and `marsad.services.testimony`."""
