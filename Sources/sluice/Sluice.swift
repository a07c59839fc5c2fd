import ArgumentParser

@main
struct Sluice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Load supplier CSV files (plain or gzip) into a staging table: validated, checkpointed, capped per supplier.",
        discussion: """
            Exit codes: 0 all loaded (row quarantines within budget allowed); 2 definition error; \
            3 finished, but files were quarantined or could not be read; 4 the store or sink could not be used; \
            64 command-line usage error; 75 the store is being written by another run (nothing loaded; \
            `sluice run --wait` queues behind it); 130/143 stopped by SIGINT/SIGTERM after a clean checkpoint.
            """,
        subcommands: [Run.self, Stream.self, Check.self, Status.self, Report.self, Quarantine.self, Prune.self, Sample.self]
    )
}
