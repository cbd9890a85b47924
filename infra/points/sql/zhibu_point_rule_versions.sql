-- The point rule versions in force for a tenant: its own, or else its nearest ancestor's
-- (0030, 0035). SECURITY DEFINER so a county reads the city's scheme it inherits; one statement
-- per tenant of the chain, each naming its tenant (Citus routes it to one shard).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_point_rule_versions(p_tenant uuid)
 RETURNS TABLE(
    tenant_id uuid, id uuid, version integer, effective_from date, base_score integer,
    period text, classes jsonb, items jsonb, exclusions jsonb,
    created_at timestamp with time zone
)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
    a uuid;
BEGIN
    FOREACH a IN ARRAY coalesce(zhibu_tenant_ancestors(p_tenant), '{}') LOOP
        RETURN QUERY
            SELECT v.tenant_id, v.id, v.version, v.effective_from, v.base_score, v.period,
                   v.classes, v.items, v.exclusions, v.created_at
            FROM point_rule_version v WHERE v.tenant_id = a ORDER BY v.version;
        IF FOUND THEN
            RETURN;
        END IF;
    END LOOP;
END
$function$;
