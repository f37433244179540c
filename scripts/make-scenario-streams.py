#!/usr/bin/env python3
# Writes the streams of the fixture library (Fixtures/scenarios/*/stream.jsonl) from hand-made plans: each function
# below is one scenario, message by message. The goldens beside them are written by hand (see Fixtures/README.md).
# Usage: scripts/make-scenario-streams.py Fixtures/scenarios
import json, datetime, os, sys
OUT = sys.argv[1]
def ms(s): return int(datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc).timestamp()*1000)
def iso(t):
    d = datetime.datetime.fromtimestamp(t/1000, tz=datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t % 1000)
class S:
    def __init__(s, cp): s.cp=cp; s.lines=[]; s.n=0
    def comment(s, text): s.lines.append((None, "# " + text))
    def raw(s, rt, topic, payload, qos=1):
        s.lines.append((rt, json.dumps({"received_at": iso(rt), "topic": topic, "qos": qos, "retain": False, "payload": payload}, separators=(",",":"))))
    def call(s, t, action, body, result=None, delay=150, mid=None):
        s.n += 1; mid = mid or str(s.n)
        payload = json.dumps([2, mid, action, body], separators=(",",":"))
        s.raw(t+delay, f"ocpp/{s.cp}/in", payload)
        if result is not None:
            s.raw(t+delay+60, f"ocpp/{s.cp}/out", json.dumps([3, mid, result], separators=(",",":")))
        return payload
    def write(s, path, header):
        with open(path, "w") as f:
            for h in header: f.write("# " + h + "\n")
            for rt, line in s.lines: f.write(line + "\n")
def kwh(wh): return "%.3f" % (wh/1000)
def mv16(s, t, conn, tx, reg, power, delay=150, extra=None):
    sv = [{"value": kwh(reg), "context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","location":"Outlet","unit":"kWh"},
          {"value": str(power), "context":"Sample.Periodic","measurand":"Power.Active.Import","location":"Outlet","unit":"W"}]
    return s.call(t, "MeterValues", {"connectorId": conn, "transactionId": tx, "meterValue":[{"timestamp": iso(t), "sampledValue": sv}]}, {}, delay=delay)
def status16(s, t, conn, st, err="NoError"):
    s.call(t, "StatusNotification", {"connectorId": conn, "errorCode": err, "status": st, "timestamp": iso(t)}, {})
def boot16(s, t):
    s.call(t, "BootNotification", {"chargePointVendor":"ABB","chargePointModel":"Terra AC"}, {"status":"Accepted","currentTime":iso(t),"interval":300})
def hb(s, t): s.call(t, "Heartbeat", {}, {"currentTime": iso(t)})
MIN=60000

def depot_overnight():
    s=S("DEPOT-AC-01"); t0=ms("2026-11-20T17:00:00")
    boot16(s,t0); status16(s,t0,0,"Available"); status16(s,t0,1,"Available")
    for k in range(1,6): hb(s,t0+k*5*MIN)
    plug=ms("2026-11-20T17:30:00"); status16(s,plug,1,"Preparing")
    start=plug+20000; s.call(start,"StartTransaction",{"connectorId":1,"idTag":"04A1B2C3D4E5F6","meterStart":1250000,"timestamp":iso(start)},{"idTagInfo":{"status":"Accepted"},"transactionId":501})
    ch=start+5000; status16(s,ch,1,"Charging")
    full=ch+3*3600000
    t=ch+5*MIN
    while t < ms("2026-11-21T05:45:00"):
        e=min(t,full)-ch; reg=1250000+int(11000*e/3600000)
        p=11000 if t<full else 0
        if t==full: status16(s,t,1,"SuspendedEV")
        mv16(s,t,1,501,reg,p); t+=5*MIN
    stop=ms("2026-11-21T05:45:00")
    s.call(stop,"StopTransaction",{"idTag":"04A1B2C3D4E5F6","meterStop":1283000,"timestamp":iso(stop),"transactionId":501,"reason":"Local"},{"idTagInfo":{"status":"Accepted"}})
    status16(s,stop,1,"Finishing"); status16(s,stop+MIN,1,"Available")
    return s

def faulty_meter():
    s=S("DEPOT-AC-02"); t0=ms("2026-11-21T09:00:00")
    boot16(s,t0); status16(s,t0,0,"Available"); status16(s,t0,1,"Available"); hb(s,t0+5*MIN)
    plug=ms("2026-11-21T09:10:00"); status16(s,plug,1,"Preparing")
    start=plug+10000; s.call(start,"StartTransaction",{"connectorId":1,"idTag":"04FF00112233AA","meterStart":500000,"timestamp":iso(start)},{"idTagInfo":{"status":"Accepted"},"transactionId":601})
    ch=start+5000; status16(s,ch,1,"Charging")
    stuck_from=ch+35*MIN; stuck_to=ch+45*MIN
    for k in range(1,60):
        t=ch+k*MIN; reg=500000+int(7000*(t-ch)/3600000)
        if t==ch+20*MIN: reg-=400
        if stuck_from<=t<=stuck_to: reg=500000+int(7000*(stuck_from-ch)/3600000)
        mv16(s,t,1,601,reg,7000)
    stop=ch+60*MIN
    s.call(stop,"StopTransaction",{"idTag":"04FF00112233AA","meterStop":507000,"timestamp":iso(stop),"transactionId":601,"reason":"Local"},{"idTagInfo":{"status":"Accepted"}})
    status16(s,stop,1,"Finishing"); status16(s,stop+45000,1,"Available")
    return s

def te201(s, t, etype, trig, seq, tx, state, evse=False, meter=None, offline=False, idtok=None, reason=None, delay=150):
    body={"eventType":etype,"timestamp":iso(t),"triggerReason":trig,"seqNo":seq,"offline":offline}
    if evse: body["evse"]={"id":1,"connectorId":1}
    if idtok: body["idToken"]={"idToken":idtok,"type":"ISO14443"}
    ti={"transactionId":tx,"chargingState":state}
    if reason: ti["stoppedReason"]=reason
    body["transactionInfo"]=ti
    if meter is not None: body["meterValue"]=[{"timestamp":iso(t),"sampledValue":meter}]
    return s.call(t,"TransactionEvent",body,{},delay=delay)
def reg201(wh, ctx="Sample.Periodic"): return {"value": round(wh/1000,3),"context":ctx,"measurand":"Energy.Active.Import.Register","unitOfMeasure":{"unit":"kWh"}}
def pw201(w, mult=None):
    u={"unit":"W"}
    if mult: u["multiplier"]=mult
    return {"value": w,"context":"Sample.Periodic","measurand":"Power.Active.Import","unitOfMeasure":u}
def soc201(p): return {"value": p,"context":"Sample.Periodic","measurand":"SoC","location":"EV","unitOfMeasure":{"unit":"Percent"}}
def status201(s,t,st): s.call(t,"StatusNotification",{"timestamp":iso(t),"connectorStatus":st,"evseId":1,"connectorId":1},{})
def boot201(s,t): s.call(t,"BootNotification",{"chargingStation":{"model":"Terra 184","vendorName":"ABB"},"reason":"PowerUp"},{"currentTime":iso(t),"interval":300,"status":"Accepted"})

def highway_dc():
    s=S("HWY-DC-01"); t0=ms("2026-11-21T12:00:00"); tx="3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
    boot201(s,t0); status201(s,t0,"Available"); hb(s,t0+5*MIN)
    plug=ms("2026-11-21T12:08:00"); status201(s,plug,"Occupied")
    reg=52000000
    te201(s,plug,"Started","CablePluggedIn",0,tx,"EVConnected",evse=True,meter=[reg201(reg,"Transaction.Begin")])
    te201(s,plug+15000,"Updated","Authorized",1,tx,"EVConnected",idtok="04C0FFEE123456")
    ch=plug+20000; te201(s,ch,"Updated","ChargingStateChanged",2,tx,"Charging")
    powers=[120]*12+[110,100,90,80,70,60,55,50,45,40]
    soc=20.0; seq=3
    for k,p in enumerate(powers):
        reg+=p*1000/60; soc+=p/60/77*100
        t=ch+(k+1)*MIN
        nextp = powers[k+1] if k+1<len(powers) else 0
        te201(s,t,"Updated","MeterValuePeriodic",seq,tx,"Charging" if nextp else "SuspendedEV",meter=[reg201(reg),pw201(nextp,3),soc201(round(soc))]); seq+=1
    stop=ch+(len(powers))*MIN+40000
    te201(s,stop,"Ended","EVDeparted",seq,tx,"Idle",meter=[reg201(reg,"Transaction.End")],reason="EVDisconnected")
    status201(s,stop,"Available")
    return s, round(reg)-52000000

def offline_catchup():
    s=S("DEPOT-AC-03"); t0=ms("2026-11-21T14:00:00"); tx="8b1e6f40-2c3d-4a5b-9e8f-7a6b5c4d3e2f"
    boot201(s,t0); status201(s,t0,"Available"); hb(s,t0+5*MIN)
    plug=ms("2026-11-21T14:10:00"); status201(s,plug,"Occupied"); reg=80000
    te201(s,plug,"Started","CablePluggedIn",0,tx,"EVConnected",evse=True,meter=[reg201(reg,"Transaction.Begin")])
    te201(s,plug+10000,"Updated","Authorized",1,tx,"EVConnected",idtok="04BEEF00112233")
    ch=plug+15000; te201(s,ch,"Updated","ChargingStateChanged",2,tx,"Charging")
    seq=3; backlog=[]
    off_from=ms("2026-11-21T14:30:00"); off_to=ms("2026-11-21T14:50:00")
    k=1
    while True:
        t=ch+k*2*MIN
        if t>ms("2026-11-21T15:10:15"): break
        reg=80000+int(11000*(t-ch)/3600000)
        if off_from<=t<off_to:
            backlog.append((t,seq,reg))
        else:
            if backlog and t>=off_to:
                rt=off_to+5000
                for i,(bt,bseq,breg) in enumerate(backlog):
                    s.n+=1
                    body={"eventType":"Updated","timestamp":iso(bt),"triggerReason":"MeterValuePeriodic","seqNo":bseq,"offline":True,"transactionInfo":{"transactionId":tx,"chargingState":"Charging"},"meterValue":[{"timestamp":iso(bt),"sampledValue":[reg201(breg),pw201(11000)]}]}
                    s.raw(rt+i*20,"ocpp/DEPOT-AC-03/in",json.dumps([2,str(s.n),"TransactionEvent",body],separators=(",",":")))
                    s.raw(rt+i*20+10,"ocpp/DEPOT-AC-03/out",json.dumps([3,str(s.n),{}],separators=(",",":")))
                backlog=[]
            te201(s,t,"Updated","MeterValuePeriodic",seq,tx,"Charging",meter=[reg201(reg),pw201(11000)])
        seq+=1; k+=1
    stop=ms("2026-11-21T15:12:00"); final=80000+int(11000*(stop-ch)/3600000)
    te201(s,stop,"Ended","EVDeparted",seq,tx,"Idle",meter=[reg201(final,"Transaction.End")],reason="EVDisconnected")
    status201(s,stop,"Available")
    return s, final-80000

def simple16(cp, t0s, meter_start, power, minutes, txid, tag):
    s=S(cp); t0=ms(t0s)
    boot16(s,t0); status16(s,t0,0,"Available"); status16(s,t0,1,"Available")
    plug=t0+2*MIN; status16(s,plug,1,"Preparing")
    start=plug+15000
    s.call(start,"StartTransaction",{"connectorId":1,"idTag":tag,"meterStart":meter_start,"timestamp":iso(start)},{"idTagInfo":{"status":"Accepted"},"transactionId":txid})
    ch=start+5000; status16(s,ch,1,"Charging")
    return s, start, ch

def duplicates_reordering():
    s, start, ch = simple16("DEPOT-AC-04","2026-11-21T07:58:00",300000,7400,60,701,"04DD11223344")
    lines_before=len(s.lines)
    samples=[]
    for k in range(1,60):
        t=ch+k*MIN; reg=300000+int(7400*(t-ch)/3600000)
        samples.append((k,t,reg))
    for k,t,reg in samples:
        if k in (20,40):  # delivered 62 s late, 2 s after the next sample: the sequencer's window puts it back
            mv16(s,t,1,701,reg,7400,delay=62000)
        elif k in (5,15,25,35,45):
            p=mv16(s,t,1,701,reg,7400)
            s.raw(t+2150,"ocpp/DEPOT-AC-04/in",p)   # the same CALL again (a QoS 1 redelivery)
        else:
            mv16(s,t,1,701,reg,7400)
    stop=ch+60*MIN; final=300000+7400
    p=s.call(stop,"StopTransaction",{"meterStop":final,"timestamp":iso(stop),"transactionId":701,"reason":"EVDisconnected"},{})
    s.raw(stop+30150,"ocpp/DEPOT-AC-04/in",p.replace('"'+str(s.n)+'"','"'+str(s.n+1)+'"',1))  # resent after a lost response
    s.n+=1
    status16(s,stop,1,"Available")
    s.lines.sort(key=lambda x: x[0])
    return s, final-300000

def malformed():
    s, start, ch = simple16("DEPOT-AC-05","2026-11-21T10:58:00",120000,11000,45,801,"04AA55AA55AA55")
    for k in range(1,45):
        t=ch+k*MIN; reg=120000+int(11000*(t-ch)/3600000)
        if k==10:
            p=mv16(s,t,1,801,reg,11000); rt,line=s.lines[-2]; obj=json.loads(line); obj["payload"]=obj["payload"][:len(obj["payload"])//2]
            s.lines[-2]=(rt,json.dumps(obj,separators=(",",":")))
        elif k==20:
            sv=[{"value":"12O.5","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","location":"Outlet","unit":"kWh"}]
            s.call(t,"MeterValues",{"connectorId":1,"transactionId":801,"meterValue":[{"timestamp":iso(t),"sampledValue":sv}]},{})
        elif k==30:
            s.raw(t+150,"ocpp/DEPOT-AC-05/in","")
        elif k==35:
            s.raw(t+150,"ocpp/DEPOT-AC-05/in","[2,\"x\",\"MeterValues\",{\"connectorId\":1,\"transactionId\":801,\"meterValue\":[{\"timestamp\":\"2026-11-21T11:34:20\",\"sampledValue\":[{\"value\":\"1\"}]}]}]")
        else:
            mv16(s,t,1,801,reg,11000)
    stop=ch+45*MIN; final=120000+int(11000*45/60)
    s.call(stop,"StopTransaction",{"meterStop":final,"timestamp":iso(stop),"transactionId":801,"reason":"EVDisconnected"},{})
    status16(s,stop,1,"Available")
    return s, final-120000

def tou_boundary():
    s, start, ch = simple16("DEPOT-AC-06","2026-11-20T14:28:00",640000,11000,60,901,"04CAFE00CAFE00")
    for k in range(1,60):
        t=ch+k*MIN; reg=640000+int(11000*(t-ch)/3600000)
        mv16(s,t,1,901,reg,11000)
    stop=ch+60*MIN; final=640000+11000
    s.call(stop,"StopTransaction",{"meterStop":final,"timestamp":iso(stop),"transactionId":901,"reason":"EVDisconnected"},{})
    status16(s,stop,1,"Available")
    return s, final-640000

def out(name, s, header):
    d=os.path.join(OUT,name); os.makedirs(d,exist_ok=True); s.write(os.path.join(d,"stream.jsonl"),header)

s=depot_overnight(); out("depot-overnight",s,["Written by a script from a hand-made plan, see Fixtures/README.md: OCPP 1.6J, one 11 kW AC session overnight."])
s=faulty_meter(); out("faulty-meter",s,["OCPP 1.6J, 7 kW for an hour: the register drops 400 Wh at 09:30:15, then stays at its 09:45:15 value until 09:55:15."])
s,e=highway_dc(); out("highway-dc",s,["OCPP 2.0.1 DC, 120 kW tapering to 40 kW over 22 minutes, energy in kWh (Transaction.Begin/End registers). Energy %d Wh." % e]); print("hwy",e)
s,e=offline_catchup(); out("offline-catchup",s,["OCPP 2.0.1 AC 11 kW: offline 14:30-14:50, its ten periodic events delivered at 14:50:05 with offline true. Energy %d Wh." % e]); print("off",e)
s,e=duplicates_reordering(); out("duplicates-reordering",s,["OCPP 1.6J 7.4 kW: five MeterValues delivered twice, two delivered 62 s late (2 s after the next one), the StopTransaction resent. Energy %d Wh." % e]); print("dup",e)
s,e=malformed(); out("malformed-payloads",s,["OCPP 1.6J 11 kW: four broken MeterValues among good ones (cut in half, a letter O in a number, empty, a timestamp without zone). Energy %d Wh." % e]); print("mal",e)
s,e=tou_boundary(); out("tou-boundary",s,["OCPP 1.6J 11 kW at the depot (Europe/Berlin), 15:30:15-16:30:20 local (14:30:15-15:30:20 UTC) on a Friday: across the 16:00 start of the peak period of Pipelines/tariffs/example.yaml. Energy %d Wh." % e]); print("tou",e)
