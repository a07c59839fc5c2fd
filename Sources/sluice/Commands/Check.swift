import ArgumentParser
import SluiceApp

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a pipeline definition and print the plan; exits 2 with the key path and line of the first problem."
    )

    @OptionGroup var options: PipelineOptions

    func run() throws {
        let (definition, plan) = try options.load()
        say(describePlan(definition, plan))
        say("\ndefinition is valid")
    }
}
