/// Product names as the `latin1` supplier writes them: the first word in a form with Latin-1
/// letters, so that a file read as UTF-8, or not converted, shows wrong text.
///
/// Only the mixed style writes these, so the uniform style stays as it was; the mapping is
/// exact and one to one, and `mixed.json` records it for that supplier.
public enum LatinNames {
    /// Each product word (`SampleRow.words`) and the word the latin1 supplier writes instead.
    public static let words: [String: String] = [
        "Widget": "Wídget", "Gadget": "Gâdget", "Bracket": "Bräcket", "Hose": "Höse",
        "Lamp": "Lampé", "Mug": "Tassé", "Chair": "Chaïse", "Ball": "Fußball",
        "Stapler": "Stäpler", "Rake": "Râteau", "Kettle": "Kéttle", "Drill": "Drïll",
        "Clamp": "Clämp", "Bottle": "Bøttle", "Cable": "Câble", "Shelf": "Étagère",
    ]

    /// `Widget large, pack of 3` as `Wídget large, pack of 3`.
    static func accented(_ name: String) -> String {
        let first = name.prefix { $0 != " " }
        guard let replacement = words[String(first)] else { return name }
        return replacement + name.dropFirst(first.count)
    }
}
