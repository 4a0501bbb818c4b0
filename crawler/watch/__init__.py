"""What deserves an alert and who hears of it: watch rules (`rules`), the sense of each
开源 (`sense`), and delivery of the alerts outbox to sinks (`notify`)."""
