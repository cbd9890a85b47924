-- Audit events are append-only and kept at least six months (0013).
-- Canonical form (pg_get_functiondef); the body is as its migration wrote it.
CREATE OR REPLACE FUNCTION zhibu_audit_event_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'public', 'pg_temp'
AS $function$
    BEGIN
        IF TG_OP = 'DELETE' AND OLD.occurred_at < now() - interval '6 months' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit events are append-only and kept at least six months'
            USING ERRCODE = 'insufficient_privilege';
    END
    $function$;
