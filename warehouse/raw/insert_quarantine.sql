-- incoming_quarantine: the issue rows of a chunk's returns, registered by load_night.
insert into raw.quarantine by name
select * from incoming_quarantine;
