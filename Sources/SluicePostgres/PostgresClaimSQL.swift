/// The statements behind several workers' claims. Parameters: 1 the pipeline, 2 the worker,
/// 3 the lease's seconds; the claim adds 4 the file, 5 the supplier, 6 its cap, 7 the
/// pipeline's cap, 8 the supplier's spacing in seconds, 9 its start group, 10 the stagger.
enum PostgresClaimSQL {
    /// Takes a file, a slot of its supplier and one of the pipeline in one statement, each
    /// row locked with `SKIP LOCKED` so claimers never wait on each other. Only when all are
    /// free (and the supplier's pace and start group allow) does anything change: the file's
    /// epoch goes up by one, and the slots take the same lease. The pace and the start group
    /// are joined in only when the pipeline uses them.
    static func claim(paced: Bool, staggered: Bool) -> String {
        let now = "clock_timestamp()"
        let until = "\(now) + $3::float8 * interval '1 second'"
        var ctes = [
            // Every parameter typed, whether the pace and the start group are joined in or not.
            "typed AS (SELECT $8::float8 AS spacing, $9::int AS grp, $10::float8 AS stagger)",
            """
            f AS (SELECT id AS fid FROM sluice_files
                  WHERE id = $4::bigint AND state IN ('pending', 'loading', 'failed')
                    AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until < \(now))
                  FOR UPDATE SKIP LOCKED)
            """,
            """
            s AS (SELECT slot AS sslot FROM sluice_slots
                  WHERE pipeline = $1 AND supplier = $5 AND slot < $6::int AND (lease_owner IS NULL OR lease_until < \(now))
                  ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
            """,
            """
            a AS (SELECT slot AS aslot FROM sluice_slots
                  WHERE pipeline = $1 AND supplier = '' AND slot < $7::int AND (lease_owner IS NULL OR lease_until < \(now))
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
            ctes.append("""
                g AS (SELECT COALESCE(sg.open_until >= \(now), false) AS is_open FROM sluice_group_openings o
                      LEFT JOIN sluice_start_groups sg ON sg.pipeline = o.pipeline AND sg.grp = $9::int
                      WHERE o.pipeline = $1
                        AND (sg.open_until >= \(now) OR o.last_opening + $10::float8 * interval '1 second' <= \(now))
                      FOR UPDATE OF o SKIP LOCKED)
                """)
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
        if paced {
            ctes.append("""
                paced AS (UPDATE sluice_paces t SET next_start = \(now) + $8::float8 * interval '1 second'
                          FROM claimed WHERE t.pipeline = $1 AND t.supplier = $5)
                """)
        }
        if staggered {
            ctes.append("""
                opened AS (UPDATE sluice_group_openings t SET last_opening = CASE WHEN g.is_open THEN t.last_opening ELSE \(now) END
                           FROM claimed, g WHERE t.pipeline = $1)
                """)
            ctes.append("""
                kept_open AS (UPDATE sluice_start_groups t SET open_until = \(now) + $10::float8 * interval '1 second'
                              FROM claimed WHERE t.pipeline = $1 AND t.grp = $9::int)
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

    /// Every lease of this worker, a third of their time from running out, extended.
    static let renew = """
        WITH files AS (UPDATE sluice_files SET lease_until = clock_timestamp() + $3::float8 * interval '1 second'
                       WHERE pipeline = $1 AND lease_owner = $2 RETURNING id),
        slots AS (UPDATE sluice_slots SET lease_until = clock_timestamp() + $3::float8 * interval '1 second'
                  WHERE pipeline = $1 AND lease_owner = $2)
        SELECT count(*) FROM files
        """

    /// Lets go the slots this worker holds for a file it has read: parameter 3 the file.
    static let releaseSlots = """
        UPDATE sluice_slots SET lease_owner = NULL, lease_until = NULL, file_id = NULL
        WHERE pipeline = $1 AND lease_owner = $2 AND file_id = $3::bigint
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
