-- Written by hand: live boards on several servers. Every change recorded through smoke-seal is an
-- audit event (0006), so one trigger on that log tells every listening server on the database,
-- whoever wrote it (a server, a worker, the CLI). Delivered on commit only; a rolled-back change
-- says nothing. The payload stays far below Postgres's 8000-byte limit: an app or version longer
-- than 200 characters is sent as null ("something changed"), and the kind is cut to 40.
CREATE FUNCTION "board_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('seal_board', json_build_object(
    'kind', left(NEW.kind, 40),
    'app', CASE WHEN length(NEW.app) <= 200 THEN NEW.app END,
    'version', CASE WHEN length(NEW.version) <= 200 THEN NEW.version END
  )::text);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "audit_events_board_notify" AFTER INSERT ON "audit_events" FOR EACH ROW EXECUTE FUNCTION "board_notify"();
