pub type Stop = shutdown::CancellationToken;
