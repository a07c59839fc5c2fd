/// The statements behind several workers' claims. Parameters: 1 the pipeline, 2 the worker,
/// 3 the lease's seconds; the claim adds 4 the file, 5 the supplier, 6 its cap, 7 the
/// pipeline's cap, 8 the supplier's spacing in seconds, 9 its start group, 10 the stagger,
/// 11 the files this worker has read since its last claim, whose slots it gives back.
enum PostgresClaimSQL {
    /// Takes a file, a slot of its supplier and one of the pipeline in one statement, each
    /// row locked with `SKIP LOCKED` so claimers never wait on each other. Only when all are
    /// free (and the supplier's pace and start group allow) does anything change: the file's
    /// epoch goes up by one, and the slots take the same lease. The pace and the start group
    /// are joined in only when the pipeline uses them.
    /// Every shape of the claim, built once: by paced, then by staggered.
    static let claims = [false, true].map { paced in [false, true].map { claim(paced: paced, staggered: $0) } }

    static func claim(paced: Bool, staggered: Bool) -> String {
        let now = "clock_timestamp()"
        let until = "\(now) + $3::float8 * interval '1 second'"
        // A slot is free when no one holds it, its lease ran out, or this worker holds it for a
        // file it has read: that one it hands straight to the next file.
        let free = "(lease_owner IS NULL OR lease_until < \(now) OR (lease_owner = $2 AND file_id = ANY($11::bigint[])))"
        var ctes = [
            // Every parameter typed, whether the pace and the start group are joined in or not.
            "typed AS (SELECT $8::float8 AS spacing, $9::int AS grp, $10::float8 AS stagger, $11::bigint[] AS read)",
            """
            f AS (SELECT id AS fid FROM sluice_files
                  WHERE id = $4::bigint
                    -- ...or rejected at its header, which the engine asks for again once the profile changed.
                    AND (state IN ('pending', 'loading', 'failed') OR (state = 'quarantined' AND rows_read = 0 AND read_with IS NOT NULL))
                    AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until < \(now))
                  FOR UPDATE SKIP LOCKED)
            """,
            """
            s AS (SELECT slot AS sslot FROM sluice_slots
                  WHERE pipeline = $1 AND supplier = $5 AND slot < $6::int AND \(free)
                  ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
            """,
            """
            a AS (SELECT slot AS aslot FROM sluice_slots
                  WHERE pipeline = $1 AND supplier = '' AND slot < $7::int AND \(free)
                  ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
            """,
        ]
        var sources = ["f", "s", "a"]
        if paced {
            ctes.append("""
                p AS (SELECT 1 AS paced FROM sluice_paces WHERE pipeline = $1 AND supplier = $5 AND next_start <= \(now)
                      FOR UPDATE SKIP LOCKED)
                """)
            sources.append("p")
        }
        if staggered {
            // A group stays open while it starts files at least `stagger` apart; a closed one
            // opens only `stagger` after the latest opening of any group. The one openings row
            // per pipeline is locked, so two workers never open two groups at once.
            // An open group needs no lock; only opening one takes the pipeline's row.
            ctes.append("""
                g_open AS (SELECT 1 FROM sluice_start_groups WHERE pipeline = $1 AND grp = $9::int AND open_until >= \(now))
                """)
            ctes.append("""
                g_new AS (SELECT 1 FROM sluice_group_openings
                          WHERE pipeline = $1 AND NOT EXISTS (SELECT 1 FROM g_open)
                            AND last_opening + $10::float8 * interval '1 second' <= \(now)
                          FOR UPDATE SKIP LOCKED)
                """)
            ctes.append("g AS (SELECT true AS is_open FROM g_open UNION ALL SELECT false FROM g_new)")
            sources.append("g")
        }
        ctes.append("""
            claimed AS (UPDATE sluice_files SET lease_owner = $2, worker = $2, lease_epoch = lease_epoch + 1, lease_until = \(until)
                        FROM \(sources.joined(separator: ", ")) WHERE id = f.fid
                        RETURNING lease_epoch, \(PostgresSQL.fileColumns))
            """)
        ctes.append("""
            slots AS (UPDATE sluice_slots t SET lease_owner = $2, lease_epoch = c.lease_epoch, file_id = c.id, lease_until = \(until)
                      FROM claimed c, s, a
                      WHERE t.pipeline = $1 AND ((t.supplier = $5 AND t.slot = s.sslot) OR (t.supplier = '' AND t.slot = a.aslot)))
            """)
        // The read files' other slots go back (never the ones just taken: a row changes once per
        // statement). One the file's last commit is letting go is skipped, not waited for: a
        // claim never waits on a lock, so it can be in no deadlock.
        ctes.append("""
            unread AS (SELECT supplier AS usupplier, slot AS uslot FROM sluice_slots
                       WHERE pipeline = $1 AND lease_owner = $2 AND file_id = ANY($11::bigint[])
                         AND NOT (supplier = $5 AND slot IN (SELECT sslot FROM s))
                         AND NOT (supplier = '' AND slot IN (SELECT aslot FROM a))
                       FOR UPDATE SKIP LOCKED)
            """)
        ctes.append("""
            freed AS (UPDATE sluice_slots t SET lease_owner = NULL, lease_until = NULL, file_id = NULL
                      FROM unread WHERE t.pipeline = $1 AND t.supplier = unread.usupplier AND t.slot = unread.uslot)
            """)
        if paced {
            ctes.append("""
                paced AS (UPDATE sluice_paces t SET next_start = \(now) + $8::float8 * interval '1 second'
                          FROM claimed WHERE t.pipeline = $1 AND t.supplier = $5)
                """)
        }
        if staggered {
            ctes.append("""
                opened AS (UPDATE sluice_group_openings t SET last_opening = \(now)
                           FROM claimed, g WHERE t.pipeline = $1 AND NOT g.is_open)
                """)
            // Written again only once half the stagger has passed: a claim per file would
            // otherwise rewrite the row every time.
            ctes.append("""
                kept_open AS (UPDATE sluice_start_groups t SET open_until = \(now) + $10::float8 * interval '1 second'
                              FROM claimed WHERE t.pipeline = $1 AND t.grp = $9::int
                                AND t.open_until < \(now) + $10::float8 * interval '0.5 second')
                """)
        }
        // The file as it stood (why a claim found nothing: its state, and how long another
        // worker still holds it), and the claimed record when the claim took it.
        return "WITH " + ctes.joined(separator: ",\n") + """

            SELECT standing.*, claimed.* FROM (
                SELECT state, lease_owner IS NOT NULL AND lease_until >= \(now) AS held,
                       EXTRACT(epoch FROM lease_until - \(now))::float8 AS held_for
                FROM sluice_files WHERE id = $4::bigint) standing
            LEFT JOIN claimed ON true
            """
    }

    /// The slots up to each cap, the pace rows and the start groups: parameters 1 the pipeline,
    /// 2 the suppliers, 3 their caps, 4 their groups.
    static let join = """
        WITH u AS (SELECT * FROM unnest($2::text[], $3::int[], $4::int[]) AS u(supplier, cap, grp)),
        slots AS (INSERT INTO sluice_slots (pipeline, supplier, slot)
                  SELECT $1, u.supplier, n FROM u, generate_series(0, u.cap - 1) AS n ON CONFLICT DO NOTHING),
        paces AS (INSERT INTO sluice_paces (pipeline, supplier) SELECT $1, supplier FROM u ON CONFLICT DO NOTHING),
        groups AS (INSERT INTO sluice_start_groups (pipeline, grp) SELECT DISTINCT $1, grp FROM u ON CONFLICT DO NOTHING)
        INSERT INTO sluice_group_openings (pipeline) VALUES ($1) ON CONFLICT DO NOTHING
        """

    /// Every lease of this worker extended. A row this worker's commit holds is skipped, not
    /// waited for (the next renewal, a third of a lease later, takes it): no deadlock with it.
    static let renew = """
        WITH held_files AS (SELECT id FROM sluice_files WHERE pipeline = $1 AND lease_owner = $2 FOR UPDATE SKIP LOCKED),
        files AS (UPDATE sluice_files f SET lease_until = clock_timestamp() + $3::float8 * interval '1 second'
                  FROM held_files WHERE f.id = held_files.id RETURNING f.id),
        held_slots AS (SELECT supplier, slot FROM sluice_slots WHERE pipeline = $1 AND lease_owner = $2 FOR UPDATE SKIP LOCKED),
        slots AS (UPDATE sluice_slots t SET lease_until = clock_timestamp() + $3::float8 * interval '1 second'
                  FROM held_slots WHERE t.pipeline = $1 AND t.supplier = held_slots.supplier AND t.slot = held_slots.slot)
        SELECT count(*) FROM files
        """

    /// Lets go every file and slot this worker holds.
    static let releaseAll = """
        WITH files AS (UPDATE sluice_files SET lease_owner = NULL, lease_until = NULL WHERE pipeline = $1 AND lease_owner = $2)
        UPDATE sluice_slots SET lease_owner = NULL, lease_until = NULL, file_id = NULL WHERE pipeline = $1 AND lease_owner = $2
        """

    /// Lets go the leases of files whose last batch committed: parameters 1 the pipeline,
    /// 2 the worker, 3 the files. Runs in the commit's own transaction.
    static let releaseFinished = """
        WITH files AS (UPDATE sluice_files SET lease_owner = NULL, lease_until = NULL
                       WHERE id = ANY($3::bigint[]) AND lease_owner = $2)
        UPDATE sluice_slots SET lease_owner = NULL, lease_until = NULL, file_id = NULL
        WHERE pipeline = $1 AND lease_owner = $2 AND file_id = ANY($3::bigint[])
        """
}
