"""Port requests: drafts, submission and the state machine, change requests, completion,
the service address book, the bulk import, the customer API and the reads of the desk."""
